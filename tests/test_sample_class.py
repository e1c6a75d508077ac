"""The main job on the sample class: every student gets exactly the expected scores."""

import pytest

from instructor import pipeline
from instructor.classes.sample import STUDENTS
from instructor.engine.course import lessons
from instructor.engine.report import lesson_score


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("sample_class")
    status = pipeline.run(workdir)
    return workdir / "grading", status


def test_every_score_is_as_expected_and_nothing_is_flagged(graded):
    out, status = graded
    summary = (out / "summary.txt").read_text()
    assert status == 0, summary
    assert summary.split("needs a human look:")[1].split()[0] == "nobody", summary
    rows = (out / "grades.csv").read_text().splitlines()
    assert rows[0] == "student_id,lesson,score,max_score,graded_by"
    assert len(rows) == 1 + len(STUDENTS) * len(lessons())


def test_feedback_shows_diagnostics_and_hides_the_hidden_tests(graded):
    out, _ = graded
    for student in STUDENTS:
        for lesson in student.expected:
            html = (out / "feedback" / student.student_id / lesson / f"{lesson}.html").read_text()
            assert "BEGIN HIDDEN TESTS" not in html and "grader_tests" not in html
            assert " points" in html  # the printed report of each graded cell
    untouched = (out / "feedback" / "ben" / "01_rnn_forward" / "01_rnn_forward.html").read_text()
    assert "exercise 1 (`softmax`) is not done yet: replace the" in untouched


def test_a_second_run_skips_graded_students(graded):
    from instructor.engine.run import grade_class

    out, _ = graded
    before = {p.name: p.stat().st_mtime_ns for p in (out / "results").iterdir()}
    records = grade_class(out.parent / "submissions", out, lessons())
    assert {p.name: p.stat().st_mtime_ns for p in (out / "results").iterdir()} == before
    assert lesson_score(records["ada"], "01_rnn_forward") == 8.0


def test_the_sample_class_covers_every_lesson():
    for lesson in lessons():
        answers = [student.answers.get(lesson, "absent") for student in STUDENTS]
        assert [] in answers, f"{lesson}: no full-marks student"
        assert None in answers, f"{lesson}: no untouched release"
        assert sum(bool(a) and a != "absent" for a in answers) >= 3, f"{lesson}: too few mistakes"


def test_the_class_gradebook_holds_the_recorded_scores(graded):
    from nbgrader.api import Gradebook

    out, _ = graded
    rows = [row.split(",") for row in (out / "grades.csv").read_text().splitlines()[1:]]
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as gradebook:
        for student_id, lesson, score, max_score, _ in rows:
            submission = gradebook.find_submission(lesson, student_id)
            assert (submission.score, submission.max_score) == (float(score), float(max_score))
