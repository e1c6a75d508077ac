"""A class of broken and hostile submissions of lesson 01, one student per attack.

Each student records the trusted score the grader must give and a phrase that must appear
in the summary's "needs a human look" lines (empty when nothing needs a look).
The test suite grades this class and checks every line; `write_hostile_class` makes it.
"""

import json
from dataclasses import dataclass
from pathlib import Path

from instructor.classes.notebooks import fill, solution_sources
from instructor.engine.course import COURSE

LESSON = "01_rnn_forward"
FULL = 8.0


@dataclass(frozen=True)
class Hostile:
    student_id: str
    score: float
    flag: str
    about: str


def _full(notebook: dict) -> dict:
    return fill(notebook, solution_sources(LESSON))


def _with_cell(notebook: dict, grade_id: str, extra: str, full: bool = True) -> dict:
    """The notebook (solved or not) with `extra` appended to one solution cell."""
    sources = dict(solution_sources(LESSON)) if full else {}
    base = sources.get(grade_id, "")
    return fill(notebook, {**sources, grade_id: f"{base}\n{extra}"})


def _replace_function(notebook: dict, grade_id: str, code: str) -> dict:
    return fill(notebook, {**solution_sources(LESSON), grade_id: code})


def _graded_cells(notebook: dict, change) -> dict:
    cells = []
    for cell in notebook["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade"):
            cell = change(cell)
        if cell is not None:
            cells.append(cell)
    return {**notebook, "cells": cells}


def _only_markdown(notebook: dict) -> dict:
    return {**notebook, "cells": [c for c in notebook["cells"] if c["cell_type"] == "markdown"]}


def _claim_points(cell: dict) -> dict:
    cell["metadata"]["nbgrader"]["points"] = 100
    return cell


def _fake_test(cell: dict) -> dict:
    cell["source"] = "print('All tests passed!')\n8.0"
    return cell


PATCH_NUMPY = """
np.isclose = lambda a, b, **kw: np.ones(np.broadcast(np.asarray(a), np.asarray(b)).shape, bool)
np.allclose = lambda *a, **kw: True
"""
PATCH_GRADER = """
import grader_tests.grading as _g
_g.Exercise.run = lambda self, f: _g.Result(self.name, self.points, self.points)
"""
WRITE_GRADER = """
import pathlib, grader_tests.grading as _g
_path = pathlib.Path(_g.__file__)
_text = _path.read_text()
_path.write_text(_text.replace("result.score = round(", "result.score = self.points or round("))
"""
LOOP_FOREVER = "def rnn_forward(x, h0, params):\n    while True:\n        pass\n"
KILL_KERNEL = "def rnn_forward(x, h0, params):\n    import os\n\n    os._exit(1)\n"
HOG_MEMORY = "def softmax(z):\n    return np.ones((60000, 60000)).sum() * z\n"

STUDENTS = [
    Hostile("h01_bad_json", 0.0, "not a valid notebook", "a file that is not JSON"),
    Hostile("h02_empty", 0.0, "is empty", "an empty file"),
    Hostile(
        "h03_wrong_name", FULL, "expected 01_rnn_forward.ipynb", "solved, saved as Lesson1.ipynb"
    ),
    Hostile("h04_other_lesson", 0.0, "is not lesson", "a notebook of another lesson"),
    Hostile("h05_missing", 0.0, "missing notebook", "no notebook at all"),
    Hostile("h06_extra_files", FULL, "extra files ignored", "solved, plus other files"),
    Hostile("h07_infinite_loop", 5.0, "did not finish", "rnn_forward never returns"),
    Hostile("h08_kills_kernel", 5.0, "ended early", "rnn_forward calls os._exit"),
    Hostile("h09_sys_exit", FULL, "SystemExit", "a solution cell calls sys.exit()"),
    Hostile("h10_memory_hog", 6.0, "MemoryError", "softmax allocates 28 GB"),
    Hostile("h11_prints_megabytes", FULL, "", "a cell prints 5 MB"),
    Hostile("h12_edits_tests", 0.0, "", "graded cells print a fake score"),
    Hostile("h13_deletes_tests", FULL, "notebook showed 0 points", "solved, graded cells deleted"),
    Hostile("h14_claims_points", 0.0, "", "unsolved, metadata claims 100 points"),
    Hostile("h15_fake_pass", 0.0, "", "unsolved, prints 'All tests passed!'"),
    Hostile("h16_patches_numpy", 0.0, "code patched", "wrong answers, numpy's comparisons patched"),
    Hostile("h17_patches_grader", 0.0, "code patched", "unsolved, Exercise.run patched"),
    Hostile(
        "h18_writes_grader", 0.0, "wrote into the grader's files", "unsolved, rewrites grading.py"
    ),
]


def _notebooks(release: dict) -> dict:
    """{student_id: {filename: content (dict for a notebook, str for a raw file)}}."""
    name = f"{LESSON}.ipynb"
    unsolved = fill(release, {})
    return {
        "h01_bad_json": {name: '{"cells": [ this is not json'},
        "h02_empty": {name: ""},
        "h03_wrong_name": {"Lesson1.ipynb": _full(release)},
        "h04_other_lesson": {
            name: {
                **release,
                "cells": [c for c in release["cells"] if c["cell_type"] == "markdown"],
            }
        },
        "h05_missing": {},
        "h06_extra_files": {name: _full(release), "notes.txt": "my notes", "helper.py": "x = 1\n"},
        "h07_infinite_loop": {name: _replace_function(release, "rnn_forward", LOOP_FOREVER)},
        "h08_kills_kernel": {name: _replace_function(release, "rnn_forward", KILL_KERNEL)},
        "h09_sys_exit": {name: _with_cell(release, "softmax", "import sys\n\nsys.exit()")},
        "h10_memory_hog": {name: _replace_function(release, "softmax", HOG_MEMORY)},
        "h11_prints_megabytes": {name: _with_cell(release, "softmax", "print('x' * 5_000_000)")},
        "h12_edits_tests": {name: _graded_cells(unsolved, _fake_test)},
        "h13_deletes_tests": {name: _graded_cells(_full(release), lambda cell: None)},
        "h14_claims_points": {name: _graded_cells(unsolved, _claim_points)},
        "h15_fake_pass": {
            name: fill(release, {"softmax": "print('All tests passed! 8 / 8 points')"})
        },
        "h16_patches_numpy": {name: _with_cell(release, "softmax", PATCH_NUMPY, full=False)},
        "h17_patches_grader": {name: _with_cell(release, "softmax", PATCH_GRADER, full=False)},
        "h18_writes_grader": {name: _with_cell(release, "softmax", WRITE_GRADER, full=False)},
    }


def write_hostile_class(folder: Path) -> list[Hostile]:
    """Write every hostile student's files to `folder/<student>/01_rnn_forward/`."""
    release = json.loads((COURSE / f"{LESSON}.ipynb").read_text())
    for student_id, files in _notebooks(release).items():
        target = folder / student_id / LESSON
        target.mkdir(parents=True, exist_ok=True)
        for filename, content in files.items():
            text = content if isinstance(content, str) else json.dumps(content, indent=1)
            (target / filename).write_text(text)
    return STUDENTS
