#!/usr/bin/env python3.11
"""Set up the pinned environment and run the course's jobs.

    python3.11 tasks.py demo    # instructor pipeline on the bundled sample class
    python3.11 tasks.py test    # every test: lint, library, grader, nbval, drift, sample class
    python3.11 tasks.py lock    # re-freeze requirements.lock from requirements.txt

The first call creates `.venv/` from `requirements.lock` (every package pinned) and installs
the `rnnlab` library in editable mode; later calls reuse it until the lock file changes.
"""

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
STAMP = VENV / ".installed"
INPUTS = ("requirements.lock", "pyproject.toml")


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for name in INPUTS:
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def _run(*args, **kwargs) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], check=True, **kwargs)


def ensure_venv() -> None:
    """Create or refresh .venv so it matches requirements.lock exactly."""
    if sys.version_info[:2] != (3, 11):
        sys.exit(f"Python 3.11 is required, this is {sys.version.split()[0]}")
    if STAMP.exists() and STAMP.read_text() == _fingerprint():
        return
    if not PYTHON.exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    _run(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip==25.3")
    _run(PYTHON, "-m", "pip", "install", "--quiet", "-r", ROOT / "requirements.lock")
    _run(PYTHON, "-m", "pip", "install", "--quiet", "--no-deps", "-e", ROOT)
    STAMP.write_text(_fingerprint())


def course_env() -> dict:
    """Environment for every job: the venv first on PATH, grader and tools importable."""
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = str(ROOT)
    env["PYTHONHASHSEED"] = "0"
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    return env


def in_venv(*args) -> None:
    _run(PYTHON, *args, cwd=ROOT, env=course_env())


def demo(extra) -> None:
    in_venv("-m", "instructor.pipeline", *extra)


def test(extra) -> None:
    in_venv("-m", "ruff", "check", ".")
    in_venv("-m", "pytest", "--nbval", "-q", "tests", "grader_tests", "solutions", *extra)


def lock(_extra) -> None:
    builder = ROOT / "build" / "lock-venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(builder)
    py = builder / BIN.name / "python"
    _run(py, "-m", "pip", "install", "--quiet", "-r", ROOT / "requirements.txt")
    frozen = subprocess.run([py, "-m", "pip", "freeze"], check=True, capture_output=True, text=True)
    header = "# Every package, frozen (pip freeze of a venv made from requirements.txt). "
    header += "Regenerate with: python3.11 tasks.py lock\n"
    (ROOT / "requirements.lock").write_text(header + frozen.stdout)


JOBS = {"demo": demo, "test": test, "lock": lock}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in JOBS:
        sys.exit(__doc__)
    job = sys.argv[1]
    if job != "lock":
        ensure_venv()
    try:
        JOBS[job](sys.argv[2:])
    except subprocess.CalledProcessError as failure:
        sys.exit(failure.returncode)


if __name__ == "__main__":
    main()
