"""Find and check each student's notebooks in a submissions folder (read-only).

Layout, as nbgrader's exchange collects it: `<submissions>/<student_id>/<lesson>/<lesson>.ipynb`.
Every problem becomes a sentence for the summary; nothing in the folder is ever changed.
"""

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from instructor.engine.course import SOLUTIONS


@dataclass
class Submission:
    student_id: str
    lesson: str
    notebook: dict | None = None  # parsed and valid, or None when there is nothing to grade
    source: Path | None = None
    problems: list = field(default_factory=list)  # reasons for a human look
    digest: str = ""  # sha256 of the submitted file


def solution_ids(lesson: str) -> set[str]:
    master = json.loads((SOLUTIONS / f"{lesson}.ipynb").read_text())
    return {
        cell["metadata"]["nbgrader"]["grade_id"]
        for cell in master["cells"]
        if cell["metadata"].get("nbgrader", {}).get("solution")
    }


def _pick_notebook(folder: Path, lesson: str, submission: Submission) -> Path | None:
    expected = folder / f"{lesson}.ipynb"
    if expected.is_file():
        others = sorted(
            p.name for p in folder.iterdir() if p != expected and p.name != "timestamp.txt"
        )
        if others:
            submission.problems.append(f"extra files ignored: {', '.join(others[:5])}")
        return expected
    notebooks = sorted(folder.glob("*.ipynb")) if folder.is_dir() else []
    if len(notebooks) == 1:
        submission.problems.append(
            f"notebook named {notebooks[0].name}, expected {lesson}.ipynb: graded anyway"
        )
        return notebooks[0]
    if notebooks:
        names = ", ".join(p.name for p in notebooks)
        submission.problems.append(
            f"no {lesson}.ipynb, and several other notebooks ({names}): not graded"
        )
    else:
        submission.problems.append(f"missing notebook {lesson}.ipynb")
    return None


def _parse(path: Path, lesson: str, submission: Submission) -> dict | None:
    raw = path.read_bytes()
    submission.digest = hashlib.sha256(raw).hexdigest()
    if not raw.strip():
        submission.problems.append(f"{path.name} is empty")
        return None
    try:
        notebook = nbformat.reads(raw.decode("utf-8", errors="replace"), as_version=4)
        nbformat.validate(notebook)
    except Exception as error:  # any parse or schema error: report it in one line
        first_line = (
            str(error).strip().splitlines()[0][:120] if str(error).strip() else type(error).__name__
        )
        submission.problems.append(f"{path.name} is not a valid notebook ({first_line})")
        return None
    found = {
        cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") for cell in notebook.cells
    }
    if not solution_ids(lesson) & found:
        submission.problems.append(
            f"{path.name} is not lesson {lesson} (none of its exercise cells)"
        )
        return None
    return json.loads(nbformat.writes(notebook))


def collect(submissions: Path, student_id: str, lesson: str) -> Submission:
    """The checked submission of one student for one lesson."""
    submission = Submission(student_id, lesson)
    path = _pick_notebook(submissions / student_id / lesson, lesson, submission)
    if path is not None:
        submission.source = path
        submission.notebook = _parse(path, lesson, submission)
    return submission


def students(submissions: Path) -> list[str]:
    """Student ids: the folders of the submissions folder, sorted."""
    return sorted(
        p.name for p in submissions.iterdir() if p.is_dir() and not p.name.startswith(".")
    )
