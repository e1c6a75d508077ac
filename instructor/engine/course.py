"""The nbgrader course directory: where the solutions are staged and nbgrader runs.

nbgrader wants `source/<lesson>/<lesson>.ipynb`; the repository keeps one flat file per
lesson in solutions/. A `CourseDir` is a working folder under build/ that stages the
solutions into nbgrader's layout and runs nbgrader commands against it.
"""

import hashlib
import os
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"
COURSE = ROOT / "course"
BUILD = ROOT / "build"
CONFIG = Path(__file__).resolve().parent / "nbgrader_config.py"


class NbgraderError(RuntimeError):
    """An nbgrader command failed; the message holds the end of its log."""


def lessons() -> list[str]:
    """Lesson ids in course order, e.g. ["01_rnn_forward", ...]: one per solution notebook."""
    return sorted(path.stem for path in SOLUTIONS.glob("[0-9][0-9]_*.ipynb"))


class CourseDir:
    """An nbgrader course directory at `root`, with the solutions staged as its source."""

    def __init__(self, root: Path, fresh: bool = True):
        self.root = Path(root)
        if fresh and self.root.exists():
            shutil.rmtree(self.root)
        self.root.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CONFIG, self.root / "nbgrader_config.py")  # nbgrader reads it from cwd
        for lesson in lessons():
            target = self.root / "source" / lesson / f"{lesson}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(SOLUTIONS / f"{lesson}.ipynb", target)

    @classmethod
    def copy_of(cls, template: "CourseDir", root: Path) -> "CourseDir":
        """A private copy of a prepared course directory (its gradebook included)."""
        if root.exists():
            shutil.rmtree(root)
        shutil.copytree(template.root, root)
        return cls(root, fresh=False)

    def path(self, step: str, *parts: str) -> Path:
        """A path inside the course directory, e.g. path("release", lesson, f"{lesson}.ipynb")."""
        return self.root.joinpath(step, *parts)

    def environment(self) -> dict:
        """The environment nbgrader runs in: this process's, with the course's paths."""
        env = dict(os.environ)  # nbgrader runs `alembic` from PATH: put this venv's bin first
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        env["PYTHONPATH"] = str(ROOT)  # nbgrader's config imports instructor.engine
        env["IPYTHONDIR"] = str(self.root / ".ipython")  # private: no shared startup files
        env["JUPYTER_RUNTIME_DIR"] = str(self.root / ".runtime")
        env.setdefault("OPENBLAS_NUM_THREADS", "1")  # students are graded in parallel instead
        return env

    def nbgrader(self, *args: str, check: bool = True, timeout: float | None = None):
        """Run `nbgrader <args>` on this course directory with the course configuration."""
        return self.run_python(
            "-m",
            "nbgrader",
            *args,
            f"--CourseDirectory.root={self.root}",
            check=check,
            timeout=timeout,
        )

    def run_python(self, *args, check: bool = True, timeout: float | None = None):
        """Run `python <args>` in this course directory with the course's environment.

        Runs in its own process group under the course's memory limit; after `timeout`
        seconds the whole group (and any kernels) is killed. Returns the CompletedProcess
        (returncode -9 after a kill); raises NbgraderError if it failed and `check`.
        """
        command = [sys.executable, *map(str, args)]
        process = subprocess.Popen(
            command,
            cwd=self.root,
            env=self.environment(),
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            preexec_fn=limit_resources,
        )
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            stdout, stderr = process.communicate()
        done = subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
        if check and done.returncode != 0:
            tail = "\n".join(done.stderr.splitlines()[-15:])
            raise NbgraderError(f"{' '.join(map(str, args))} failed:\n{tail}")
        return done


MEMORY_BYTES = 4 * 1024**3  # address space of each grading process and of each kernel


def limit_resources() -> None:
    """In a child process: its own process group (to kill it whole) and a memory limit."""
    os.setsid()
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))


def tree_digest(folder: Path) -> str:
    """sha256 over the relative paths and contents of every file below `folder`."""
    digest = hashlib.sha256()
    for path in sorted(
        p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts
    ):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()
