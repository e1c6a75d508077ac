"""What produced a grade: one hash over everything that can change a lesson's score.

A lesson's fingerprint covers
- its hidden tests (grader_tests/test_<lesson>.py) and reference answers (its solution
  notebook), and the public-check data shipped for it, if any;
- everything shared: the grading framework (the rest of grader_tests, the answer
  catalogs excepted), the engine (instructor/engine), the course library and the sandbox's
  client (lib/), and the locked package versions (requirements.lock);
- the settings that change numbers: the time limits, the sandbox and its limits, the BLAS
  thread count of the kernels, the interpreter and machine.

Changing a lesson's hidden test changes that lesson's fingerprint only; changing shared
code changes all of them. The record of each graded lesson keeps the fingerprint it was
graded with, so a resumed run re-grades exactly what is stale.
"""

import hashlib
import json
import platform
import sys
from dataclasses import asdict
from functools import cache
from pathlib import Path

from instructor.engine.course import ROOT, SOLUTIONS

SHORT = 12  # hex digits shown in grades.csv
KERNEL_BLAS_THREADS = 1  # see instructor.engine.sandbox.kernel_environment


def _digest_files(digest, files) -> None:
    for path in sorted(files):
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0")
        digest.update(path.read_bytes())


def _code_files(folder: Path) -> list:
    return [
        p
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    ]


@cache
def shared_digest() -> str:
    """The hash of what every lesson's grading shares (see the module docstring)."""
    digest = hashlib.sha256()
    framework = [
        p
        for p in _code_files(ROOT / "grader_tests")
        if not p.name.startswith(("test_", "answers_"))
    ]
    public = ROOT / "lib" / "rnnlab" / "data" / "public"
    library = [p for p in _code_files(ROOT / "lib") if public not in p.parents]
    engine = _code_files(ROOT / "instructor" / "engine")
    _digest_files(digest, framework + library + engine + [ROOT / "requirements.lock"])
    return digest.hexdigest()


def lesson_files(lesson: str) -> list:
    """The files only this lesson's grading reads."""
    public = ROOT / "lib" / "rnnlab" / "data" / "public"
    files = [ROOT / "grader_tests" / f"test_{lesson}.py", SOLUTIONS / f"{lesson}.ipynb"]
    return files + sorted(public.glob(f"{lesson}.*")) if public.is_dir() else files


def environment() -> dict:
    """The interpreter and machine, which can change floating-point results."""
    return {
        "python": sys.version.split()[0],
        "machine": platform.machine(),
        "kernel_blas_threads": KERNEL_BLAS_THREADS,
    }


def fingerprint(lesson: str, settings) -> str:
    """The full fingerprint of grading `lesson` with `settings` (hex sha256)."""
    digest = hashlib.sha256(shared_digest().encode())
    _digest_files(digest, lesson_files(lesson))
    described = {"settings": asdict(settings), "environment": environment()}
    digest.update(json.dumps(described, sort_keys=True).encode())
    return digest.hexdigest()


def short(full: str) -> str:
    return full[:SHORT]
