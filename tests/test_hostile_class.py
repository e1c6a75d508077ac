"""A class of broken and hostile submissions grades safely: no unearned point, a clear flag
for each, the others unaffected, and the submissions folder unchanged."""

import pytest

from instructor.course import tree_digest
from instructor.grade import grade_class
from instructor.hostile_class import LESSON, STUDENTS, write_hostile_class
from instructor.report import lesson_score


@pytest.fixture(scope="module")
def graded(tmp_path_factory, monkeypatch_module):
    monkeypatch_module.setenv("RNNLAB_CELL_TIMEOUT", "5")
    monkeypatch_module.setattr("instructor.trusted.EXERCISE_SECONDS", 5)
    monkeypatch_module.setattr("instructor.grade.CELL_SECONDS", 5)
    submissions = tmp_path_factory.mktemp("hostile")
    write_hostile_class(submissions)
    before = tree_digest(submissions)
    out = submissions.parent / "hostile_grading"
    records = grade_class(submissions, out, [LESSON], jobs=2)
    return records, (out / "summary.txt").read_text(), before == tree_digest(submissions)


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.mark.parametrize("student", STUDENTS, ids=[s.student_id for s in STUDENTS])
def test_score_and_flag(graded, student):
    records, summary, _ = graded
    assert lesson_score(records[student.student_id], LESSON) == student.score, summary
    flags = [line for line in summary.splitlines() if line.startswith(f"  {student.student_id} ")]
    if student.flag:
        assert any(student.flag in line for line in flags), summary
    else:
        assert flags == [], flags


def test_submissions_are_never_changed(graded):
    assert graded[2]
