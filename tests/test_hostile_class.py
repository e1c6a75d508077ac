"""A class of broken and hostile submissions grades safely: no unearned point, a clear flag
for each, the others unaffected, and the submissions folder unchanged."""

import shutil

import pytest

from instructor.classes.folder_state import folder_state
from instructor.classes.hostile import FULL, LESSON, STUDENTS, write_hostile_class
from instructor.engine.report import lesson_score
from instructor.engine.run import grade_class


@pytest.fixture(scope="module")
def graded(tmp_path_factory, monkeypatch_module):
    monkeypatch_module.setenv("RNNLAB_CELL_TIMEOUT", "5")
    monkeypatch_module.setattr("instructor.engine.trusted.EXERCISE_SECONDS", 5)
    monkeypatch_module.setattr("instructor.grade.CELL_SECONDS", 5)
    submissions = tmp_path_factory.mktemp("hostile")
    write_hostile_class(submissions)
    before = folder_state(submissions)
    out = submissions.parent / "hostile_grading"
    records = grade_class(submissions, out, [LESSON], jobs=2)
    return records, (out / "summary.txt").read_text(), before == folder_state(submissions), out


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.mark.parametrize("student", STUDENTS, ids=[s.student_id for s in STUDENTS])
def test_score_and_flag(graded, student):
    records, summary = graded[:2]
    assert lesson_score(records[student.student_id], LESSON) == student.score, summary
    flags = [line for line in summary.splitlines() if line.startswith(f"  {student.student_id} ")]
    if student.flag:
        assert any(student.flag in line for line in flags), summary
    else:
        assert flags == [], flags


def test_submissions_are_never_changed(graded):
    assert graded[2]


def test_the_class_gradebook_gets_the_trusted_score_not_the_notebooks(graded):
    from nbgrader.api import Gradebook, MissingEntry

    records = graded[0]
    out = graded[3]
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as gradebook:
        for student in STUDENTS:
            try:
                score = gradebook.find_submission(LESSON, student.student_id).score
            except MissingEntry:  # no valid notebook: no submission
                score = 0.0
            assert score == student.score, student.student_id
    assert set(records) == {s.student_id for s in STUDENTS}


def test_a_lesson_the_class_gradebook_lacks_is_copied_in(graded, tmp_path):
    from nbgrader.api import Gradebook

    from instructor.engine.course import CourseDir
    from instructor.engine.gradebook import write_class_gradebook

    out = graded[3]
    template = CourseDir(out / "template", fresh=False)
    shutil.copyfile(out / "gradebook.db", tmp_path / "gradebook.db")
    with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}") as gradebook:
        gradebook.remove_assignment(LESSON)
    record = {"lessons": {LESSON: {"exercises": {"softmax": 2.0, "rnn_forward": 1.5}}}}
    write_class_gradebook({"newcomer": record}, [LESSON], tmp_path, template)
    with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission(LESSON, "newcomer")
        assert (submission.score, submission.max_score) == (3.5, FULL)
