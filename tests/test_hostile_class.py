"""A class of hostile submissions grades safely: each student gets exactly its honest score
with a clear flag, no attack escapes the sandbox (no marker file outside it, no connection to
a listener on 127.0.0.1, no change to the submissions folder or to anyone's record), no
grading process is stopped, and only the feedback HTML is published."""

import json
import shutil
import socket
import subprocess
import threading
from html.parser import HTMLParser

import pytest

from instructor.classes.folder_state import folder_state
from instructor.classes.hostile import FULL, LESSON, STUDENTS, Targets, write_hostile_class
from instructor.engine.report import lesson_score
from instructor.engine.run import grade_class
from instructor.engine.sandbox import LIB
from instructor.engine.student import Settings


@pytest.fixture(scope="module")
def listener():
    """A TCP listener on 127.0.0.1 that records every connection it gets."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    reached, done = [], threading.Event()

    def accept():
        while not done.is_set():
            try:
                reached.append(server.accept()[1])
            except (TimeoutError, OSError):
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], reached
    done.set()
    thread.join()
    server.close()


@pytest.fixture(scope="module")
def graded(tmp_path_factory, listener):
    root = tmp_path_factory.mktemp("hostile")
    targets = Targets(root / "MARKER", listener[0], root / "submissions", root / "out")
    write_hostile_class(targets.submissions, targets)
    before = folder_state(targets.submissions)
    settings = Settings(cell_seconds=10)
    records = grade_class(targets.submissions, targets.out, [LESSON], jobs=2, settings=settings)
    summary = (targets.out / "summary.txt").read_text()
    return records, summary, before == folder_state(targets.submissions), targets


@pytest.mark.parametrize("student", STUDENTS, ids=[s.student_id for s in STUDENTS])
def test_score_and_flag(graded, student):
    records, summary = graded[:2]
    assert lesson_score(records[student.student_id], LESSON) == student.score, summary
    flags = records[student.student_id]["lessons"][LESSON]["flags"]
    if student.flag:
        assert any(student.flag in flag for flag in flags), flags
    else:
        assert flags == [], flags


def test_no_score_exceeds_the_points(graded):
    for record in graded[0].values():
        for name, score in record["lessons"][LESSON]["exercises"].items():
            assert 0 <= score <= {"softmax": 2, "rnn_cell_forward": 3, "rnn_forward": 3}[name]
        assert lesson_score(record, LESSON) <= FULL


def test_nothing_was_written_outside_the_sandbox(graded):
    targets = graded[3]
    assert not targets.marker.exists()
    assert not list(targets.marker.parent.rglob("PWNED"))
    assert not list(targets.repository.rglob("PWNED"))
    assert not list(targets.marker.parent.rglob("*solutions_copy*"))
    assert "pwned" not in (targets.out / "results" / "a06_writes_everywhere.json").read_text()


def test_no_connection_reached_the_listener(graded, listener):
    assert listener[1] == []


def test_the_submissions_folder_is_unchanged(graded):
    assert graded[2]


def test_only_nbgraders_products_are_published(graded):
    out = graded[3].out
    for step, suffix in (("feedback", ".html"), ("autograded", ".ipynb")):
        for folder in (out / step).glob(f"*/{LESSON}"):
            assert [p.name for p in folder.iterdir()] == [f"{LESSON}{suffix}"], folder
    feedback = out / "feedback"
    page = (feedback / "a03_reads_solutions" / LESSON / f"{LESSON}.html").read_text()
    assert "BEGIN SOLUTION" not in page and "grader_tests" not in page


def _live_markup(page: str) -> list:
    """What in an HTML page runs script: script elements' text, event handler attributes,
    javascript: links."""
    found = []

    class Reader(HTMLParser):
        def handle_starttag(self, tag, attrs):
            self.tag = tag
            for name, value in attrs:
                if name.startswith("on") or (value or "").lower().startswith("javascript:"):
                    found.append(f"<{tag} {name}={value}>")

        def handle_data(self, data):
            if getattr(self, "tag", "") == "script":
                found.append(data)

    Reader().feed(page)
    return found


def test_html_of_the_students_own_cells_is_shown_as_text(graded):
    """Feedback and formgrader render Markdown's HTML as it is: the student's must not run."""
    out = graded[3].out
    page = (out / "feedback" / "a19_html_in_markdown" / LESSON / f"{LESSON}.html").read_text()
    assert "alert('a19')" in page
    assert not [live for live in _live_markup(page) if "a19" in live], _live_markup(page)
    notebook = json.loads(
        (out / "autograded" / "a19_html_in_markdown" / LESSON / f"{LESSON}.ipynb").read_text()
    )
    students = [c for c in notebook["cells"] if "alert('a19')" in "".join(c["source"])]
    assert len(students) == 2
    assert all("format" not in c["metadata"] for c in students)
    markdown = [c for c in students if c["cell_type"] == "markdown"]
    assert "".join(markdown[0]["source"]).startswith("~~~ text\n")


def test_summary_lines_cannot_be_forged(graded):
    records, summary = graded[:2]
    section = summary.split("needs a human look:\n")[1].split("\n\n")[0]
    flagged = section.splitlines()
    assert flagged and all(line.startswith("  ") for line in flagged), flagged
    assert all(line.split()[0] in records for line in flagged), flagged
    assert "forged flag" not in summary


def test_no_sandbox_process_outlives_the_run(graded):
    running = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    zygotes = [line for line in running.splitlines() if "autograde.zygote" in line]
    assert not [line for line in zygotes if str(LIB.parent / ".venv") in line], zygotes


def test_the_class_gradebook_gets_the_graders_score_not_the_notebooks(graded):
    from nbgrader.api import Gradebook, MissingEntry

    records, out = graded[0], graded[3].out
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

    out = graded[3].out
    template = CourseDir(out / "template", fresh=False)
    shutil.copyfile(out / "gradebook.db", tmp_path / "gradebook.db")
    with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}") as gradebook:
        gradebook.remove_assignment(LESSON)
    record = {"lessons": {LESSON: {"exercises": {"softmax": 2.0, "rnn_forward": 1.5}}}}
    write_class_gradebook({"newcomer": record}, [LESSON], tmp_path, template)
    with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission(LESSON, "newcomer")
        assert (submission.score, submission.max_score) == (3.5, FULL)
