"""course/ and the public cases are exactly what the release makes now, and leak nothing."""

import json

import pytest

from instructor.engine.course import COURSE, CourseDir, lessons
from instructor.release import generate_release, public_cases
from rnnlab.checks import casefile


@pytest.fixture(scope="module")
def fresh_release(tmp_path_factory):
    return generate_release(CourseDir(tmp_path_factory.mktemp("release")))


def test_course_matches_a_fresh_release(fresh_release):
    committed = sorted(path.name for path in COURSE.glob("*.ipynb"))
    assert committed == sorted(path.name for path in fresh_release.values())
    for lesson, notebook in fresh_release.items():
        assert (COURSE / notebook.name).read_text() == notebook.read_text(), (
            f"course/{notebook.name} differs from solutions/{lesson}.ipynb's release: "
            "run `python -m instructor.release` and commit course/"
        )


@pytest.mark.parametrize("lesson", lessons())
def test_release_holds_no_solution_hidden_test_or_output(lesson):
    text = (COURSE / f"{lesson}.ipynb").read_text()
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "grader_tests"):
        assert marker not in text
    cells = json.loads(text)["cells"]
    assert all(not cell.get("outputs") for cell in cells if cell["cell_type"] == "code")


@pytest.mark.parametrize("lesson", lessons())
def test_public_cases_match_a_fresh_release(lesson):
    committed = casefile.FOLDER / f"{lesson}.wire"
    assert committed.read_bytes() == public_cases(lesson), (
        f"{committed.name} differs from what the hidden tests make now: run "
        "`python -m instructor.release` and commit lib/rnnlab/data/public/"
    )
