"""The course lifecycle on nbgrader's exchange, end to end, on one machine.

One instructor and two students (real Unix users when the tests run as root; see
course_accounts.py), a temporary exchange and course id. The instructor releases lesson 01,
both students fetch it, one completes it and one does only the first exercise, both
submit; the instructor collects, grades with `instructor.grade`, releases the feedback, and
each student fetches a report with their own score. The class gradebook holds the scores
of grades.csv. About 70 s.
"""

import csv
import json
import secrets

import pytest
from course_accounts import ONE_USER_REASON, REAL_USERS, course_accounts, make_course_dir
from nbgrader.api import Gradebook

from instructor.classes.notebooks import fill, solution_sources
from instructor.engine.course import COURSE

LESSON = "01_rnn_forward"
FULL, FIRST_EXERCISE_ONLY = 8.0, 2.0  # lesson 01: softmax 2, rnn_cell_forward 3, rnn_forward 3


def answers(kind: str) -> dict[str, str]:
    """The solution cells a student writes: all of them, or only the softmax."""
    sources = solution_sources(LESSON)
    return sources if kind == "complete" else {"softmax": sources["softmax"]}


@pytest.fixture(scope="module")
def lifecycle():
    """Run the whole lifecycle once; yield what each step left behind."""
    with course_accounts(["instructor", "student1", "student2"]) as (accounts, base):
        course_id = f"rnnlab-e2e-{secrets.token_hex(3)}"
        exchange = base / "exchange"
        exchange.mkdir()
        exchange.chmod(0o777)  # as an administrator creates it (nbgrader's documentation)
        env = {"RNNLAB_EXCHANGE": str(exchange), "RNNLAB_COURSE_ID": course_id}
        for account in accounts.values():
            account.extra_env = env
        instructor = accounts["instructor"]
        students = {"complete": accounts["student1"], "partial": accounts["student2"]}
        course = make_course_dir(instructor, LESSON, course_id, exchange)

        instructor.nbgrader("generate_assignment", LESSON, "--create", "--force", cwd=course)
        instructor.nbgrader("release_assignment", LESSON, cwd=course)
        for kind, student in students.items():
            student.nbgrader("fetch_assignment", LESSON)
            fetched = student.home / LESSON / f"{LESSON}.ipynb"
            notebook = fill(json.loads(fetched.read_text()), answers(kind))
            student.write(fetched, json.dumps(notebook, indent=1))
            student.nbgrader("submit", LESSON, student_id=True)
        inbound = exchange / course_id / "inbound"
        peek = students["partial"].run("ls", inbound)
        instructor.nbgrader("collect", LESSON, cwd=course)
        graded = instructor.python(
            "-m", "instructor.grade", "submitted", "--out", ".", "--lesson", LESSON,
            "--jobs", "2", cwd=course,
        )  # fmt: skip
        assert graded.returncode == 0, graded.stderr
        staged = instructor.python("-m", "instructor.feedback", ".", "--lesson", LESSON, cwd=course)
        assert staged.returncode == 0, staged.stderr
        log = instructor.nbgrader("release_feedback", LESSON, cwd=course).stderr
        for student in students.values():
            log += student.nbgrader("fetch_feedback", LESSON, student_id=True).stderr
        yield {
            "students": students, "instructor": instructor, "course": course,
            "exchange": exchange / course_id, "peek": peek, "log": log,
        }  # fmt: skip


def test_each_student_fetched_the_release_as_their_own_file(lifecycle):
    for student in lifecycle["students"].values():
        fetched = student.home / LESSON / f"{LESSON}.ipynb"
        assert student.owns(fetched)
    outbound = lifecycle["exchange"] / "outbound" / LESSON / f"{LESSON}.ipynb"
    assert outbound.read_text() == (COURSE / outbound.name).read_text()  # the student release


@pytest.mark.skipif(not REAL_USERS, reason=f"one Unix user for every role: {ONE_USER_REASON}")
def test_a_student_cannot_list_the_other_submissions(lifecycle):
    assert lifecycle["peek"].returncode != 0
    assert "Permission denied" in lifecycle["peek"].stderr


def test_the_instructor_collected_both_submissions(lifecycle):
    submitted = lifecycle["course"] / "submitted"
    names = {student.name for student in lifecycle["students"].values()}
    assert {path.name for path in submitted.iterdir()} == names
    for name in names:
        assert (submitted / name / LESSON / "submission_secret.txt").is_file()


def grades_csv(course) -> dict[str, tuple[float, float]]:
    with open(course / "grades.csv") as table:
        rows = [row for row in csv.DictReader(table) if row["lesson"] == LESSON]
    return {row["student_id"]: (float(row["score"]), float(row["max_score"])) for row in rows}


def test_grades_are_full_marks_and_the_first_exercise_only(lifecycle):
    grades = grades_csv(lifecycle["course"])
    students = lifecycle["students"]
    assert grades[students["complete"].name] == (FULL, FULL)
    assert grades[students["partial"].name] == (FIRST_EXERCISE_ONLY, FULL)


def test_the_class_gradebook_holds_the_scores_of_grades_csv(lifecycle):
    course = lifecycle["course"]
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student_id, (score, max_score) in grades_csv(course).items():
            submission = gradebook.find_submission(LESSON, student_id)
            assert (submission.score, submission.max_score) == (score, max_score)


def test_each_student_fetched_feedback_with_their_own_score(lifecycle):
    for kind, student in lifecycle["students"].items():
        reports = list((student.home / LESSON / "feedback").glob(f"*/{LESSON}.html"))
        assert len(reports) == 1, f"{student.name}: {reports}\n{lifecycle['log']}"
        assert student.owns(reports[0])
        html = reports[0].read_text()
        score = FULL if kind == "complete" else FIRST_EXERCISE_ONLY
        assert f"{LESSON} (Score: {score:.1f} / {FULL:.1f})" in html, html[:2000]

