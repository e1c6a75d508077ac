"""The main job on the sample class: every student gets exactly the expected scores."""

import pytest

from instructor import pipeline
from instructor.course import lessons
from instructor.sample_class import STUDENTS


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("sample_class")
    status = pipeline.run(workdir)
    return workdir, status


def test_every_score_is_as_expected(graded):
    workdir, status = graded
    grades = pipeline.read_grades(workdir / "grades.csv")
    for student in STUDENTS:
        for lesson, expected in student.expected.items():
            assert grades[(student.student_id, lesson)] == pytest.approx(expected), student
    assert status == 0


@pytest.mark.parametrize("lesson", lessons())
def test_feedback_shows_diagnostics_and_hides_the_hidden_tests(graded, lesson):
    workdir, _ = graded
    for student in STUDENTS:
        html = (workdir / "feedback" / student.student_id / lesson / f"{lesson}.html").read_text()
        assert "BEGIN HIDDEN TESTS" not in html and "grader_tests" not in html
        assert " points" in html  # the printed report of each graded cell
    untouched = (workdir / "feedback" / "ben" / lesson / f"{lesson}.html").read_text()
    assert "still raises NotImplementedError" in untouched


def test_the_sample_class_covers_the_required_cases():
    kinds = {student.student_id: student.answers for student in STUDENTS}
    for lesson in lessons():
        assert any(answers.get(lesson) == [] for answers in kinds.values()), "no full-marks student"
        assert any(answers.get(lesson) is None for answers in kinds.values()), (
            "no untouched release"
        )
        assert sum(bool(answers.get(lesson)) for answers in kinds.values()) >= 3, "too few mistakes"
