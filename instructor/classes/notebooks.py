"""Build student submissions from the released notebook: a student's answer per cell.

A submission is the released notebook with some solution cells filled in, exactly as a
student would leave it after editing those cells in Jupyter.
"""

import copy
import json
from pathlib import Path

from grader_tests.catalog import answers
from instructor.engine.course import SOLUTIONS

MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


def solution_sources(lesson: str) -> dict[str, str]:
    """{grade_id: source} of each solution cell, with the solution markers removed."""
    notebook = json.loads((SOLUTIONS / f"{lesson}.ipynb").read_text())
    sources = {}
    for cell in notebook["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if meta.get("solution"):
            lines = "".join(cell["source"]).splitlines()
            kept = [line for line in lines if line.strip() not in MARKERS]
            sources[meta["grade_id"]] = "\n".join(kept)
    return sources


def catalog_sources(lesson: str, names: list[str]) -> dict[str, str]:
    """{grade_id: source} of the named catalog answers of a lesson."""
    by_name = {answer.name: answer for answer in answers(lesson)}
    unknown = [name for name in names if name not in by_name]
    if unknown:
        raise KeyError(f"{lesson}: no catalog answers named {unknown}")
    return {by_name[name].cell: by_name[name].code.strip("\n") for name in names}


def fill(released: dict, sources: dict[str, str]) -> dict:
    """A copy of the released notebook with the given solution cells replaced."""
    notebook = copy.deepcopy(released)
    for cell in notebook["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if grade_id in sources:
            cell["source"] = sources[grade_id]
    return notebook


def write_submission(released: Path, target: Path, sources: dict[str, str] | None) -> None:
    """Write a submission: the release untouched when `sources` is None, else filled in."""
    notebook = json.loads(released.read_text())
    if sources is not None:
        notebook = fill(notebook, sources)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(notebook, indent=1) + "\n")
