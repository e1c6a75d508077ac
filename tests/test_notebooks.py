"""The solution notebooks are well-formed nbgrader masters that match their hidden tests."""

import json
import re

import pytest

from grader_tests.catalog import exercises
from instructor.engine.course import SOLUTIONS, lessons


def _cells(lesson):
    return json.loads((SOLUTIONS / f"{lesson}.ipynb").read_text())["cells"]


def _grade_cells(lesson):
    return {
        cell["metadata"]["nbgrader"]["grade_id"]: cell
        for cell in _cells(lesson)
        if cell["metadata"].get("nbgrader", {}).get("grade")
    }


@pytest.mark.parametrize("lesson", lessons())
def test_every_exercise_has_one_graded_cell_with_its_points(lesson):
    graded = _grade_cells(lesson)
    assert set(graded) == {f"grade_{name}" for name in exercises(lesson)}
    for name, exercise in exercises(lesson).items():
        cell = graded[f"grade_{name}"]
        assert cell["metadata"]["nbgrader"]["points"] == exercise.points
        source = "".join(cell["source"])
        assert f'serve("{name}")' in source
        assert source.index("### BEGIN HIDDEN TESTS") < source.index(f'serve("{name}")')


@pytest.mark.parametrize("lesson", lessons())
def test_solution_cells_document_shapes(lesson):
    for cell in _cells(lesson):
        if cell["metadata"].get("nbgrader", {}).get("solution"):
            source = "".join(cell["source"])
            assert "### BEGIN SOLUTION" in source
            assert re.search(r'"""[\s\S]*\([\w.]+(, [\w.]+)*,?\)[\s\S]*"""', source), (
                "docstring without shapes"
            )


@pytest.mark.parametrize("lesson", lessons())
def test_no_cell_writes_errors_or_stderr(lesson):
    for cell in _cells(lesson):
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error"
            assert output.get("name") != "stderr", "".join(output.get("text", ""))
