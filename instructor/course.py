"""The nbgrader course directory: where the solutions are staged and nbgrader runs.

nbgrader wants `source/<lesson>/<lesson>.ipynb`; the repository keeps one flat file per
lesson in solutions/. A `CourseDir` is a working folder under build/ that stages the
solutions into nbgrader's layout and runs nbgrader commands against it.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
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

    def path(self, step: str, *parts: str) -> Path:
        """A path inside the course directory, e.g. path("release", lesson, f"{lesson}.ipynb")."""
        return self.root.joinpath(step, *parts)

    def nbgrader(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run `nbgrader <args>` on this course directory with the course configuration."""
        command = [
            sys.executable,
            "-m",
            "nbgrader",
            *args,
            f"--CourseDirectory.root={self.root}",
        ]
        env = dict(os.environ)  # nbgrader runs `alembic` from PATH: put this venv's bin first
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        env["PYTHONPATH"] = str(ROOT)
        done = subprocess.run(command, cwd=self.root, env=env, capture_output=True, text=True)
        if check and done.returncode != 0:
            tail = "\n".join(done.stderr.splitlines()[-15:])
            raise NbgraderError(f"nbgrader {' '.join(args)} failed:\n{tail}")
        return done
