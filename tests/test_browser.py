"""JupyterLab in a real browser (headless Chromium), as a student and as an instructor.

Student: lesson 01 opens with rendered formulas and the student tools only; run all, the
first exercise's checks report the untouched exercise; a wrong softmax typed in gets a
diagnostic, the right one passes; Validate fails while exercises are not done, naming the
first one left, and succeeds once they are.
Instructor: a class graded by `instructor.grade` into the course directory; formgrader
shows the grader's scores, and a student's feedback opens. Screenshots: build/screenshots/.
About 60 s (two JupyterLab servers, a class of two graded, one Chromium).
"""

import csv
import shutil
import subprocess
import sys

import pytest
from browser import CHROMIUM_MISSING, Notebook, reset_profile, screenshot, start_chromium, wait_for
from selenium.webdriver.common.by import By

from instructor.classes.notebooks import solution_sources, write_submission
from instructor.engine.course import COURSE, CourseDir
from instructor.lab import LabServer
from instructor.release import generate_release

pytestmark = pytest.mark.skipif(bool(CHROMIUM_MISSING), reason=f"no browser: {CHROMIUM_MISSING}")

# What the student sees; the one place to change when the visible checks change.
LESSON = "01_rnn_forward"
EXERCISE = "softmax"  # the first exercise: its function's name
UNTOUCHED = ("not done yet: replace the `raise NotImplementedError()` with your code",)
NOT_DONE_FUNCTION = "rnn_cell_forward"  # named by Validate while exercise 2 is untouched
UNTOUCHED_LINE = "raise NotImplementedError()"
WRONG = "e = np.exp(z); return e / e.sum(axis=-1, keepdims=True)"  # no max shift
WRONG_DIAGNOSTIC = ("should be", "but is nan", "Likely mistake: the max is not subtracted")
RIGHT = "e = np.exp(z - z.max(axis=-1, keepdims=True)); return e / e.sum(axis=-1, keepdims=True)"
PASSED = "softmax: all 2 visible checks pass"
VALIDATE_SUCCESS = "Success! Your notebook passes all the tests."
INSTRUCTOR_TOOLS = {"Formgrader", "Course List"}
STUDENT_TOOLS = {"Assignment List"}


@pytest.fixture(scope="module")
def chromium(tmp_path_factory):
    driver = start_chromium(reset_profile(tmp_path_factory.mktemp("chromium") / "profile"))
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def student_lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("student-root")
    shutil.copy(COURSE / f"{LESSON}.ipynb", root)
    with LabServer("student", root, tmp_path_factory.mktemp("student-state")) as lab:
        yield lab


@pytest.fixture(scope="module")
def notebook(chromium, student_lab):
    return Notebook(chromium).open(student_lab.url(f"lab/tree/{LESSON}.ipynb"))


def test_the_notebook_opens_with_formulas_and_only_the_student_tools(notebook, chromium):
    formulas = wait_for(
        chromium,
        lambda d: len(d.find_elements(By.CSS_SELECTOR, ".jp-RenderedMarkdown mjx-container")) > 5,
        "the lesson's formulas rendered by MathJax",
    )
    assert formulas
    assert chromium.find_element(By.CSS_SELECTOR, ".validate-button").is_displayed()
    assert set(notebook.menu_labels("Nbgrader")) == STUDENT_TOOLS
    screenshot(chromium, "student-01-opened")


def test_run_all_reports_the_untouched_exercise(notebook, chromium):
    notebook.run("runmenu:run-all")
    output = notebook.exercise_output(EXERCISE)
    assert any(text in output for text in UNTOUCHED), output[-1500:]
    notebook.show(EXERCISE)
    screenshot(chromium, "student-02-untouched")


def test_a_wrong_answer_gets_a_diagnostic(notebook, chromium):
    notebook.replace_line(EXERCISE, UNTOUCHED_LINE, WRONG)
    notebook.run_from(EXERCISE)
    output = notebook.exercise_output(EXERCISE)
    assert all(text in output for text in WRONG_DIAGNOSTIC), output[-1500:]
    notebook.show(EXERCISE)
    screenshot(chromium, "student-03-wrong-answer")


def test_the_right_answer_passes(notebook, chromium):
    notebook.replace_line(EXERCISE, WRONG, RIGHT)
    notebook.run_from(EXERCISE)
    output = notebook.exercise_output(EXERCISE)
    assert PASSED in output and not any(text in output for text in WRONG_DIAGNOSTIC)
    notebook.show(EXERCISE)
    screenshot(chromium, "student-04-right-answer")


def test_validate_fails_while_an_exercise_is_not_done(notebook):
    result = notebook.validate("student-05-validate-not-done")
    assert VALIDATE_SUCCESS not in result
    assert NOT_DONE_FUNCTION in result and any(text in result for text in UNTOUCHED), result


def test_validate_succeeds_once_every_exercise_is_done(notebook, student_lab, chromium):
    done = student_lab.root_dir / f"{LESSON}-done.ipynb"  # the student's finished copy
    write_submission(COURSE / f"{LESSON}.ipynb", done, solution_sources(LESSON))
    # A workspace of its own: the first notebook's tab stays out of it, so Validate (which
    # acts on the current notebook) cannot validate that one instead.
    notebook.open(student_lab.url(f"lab/workspaces/done/tree/{done.name}"))
    assert VALIDATE_SUCCESS in notebook.validate("student-06-validate-done")


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory):
    """A course directory holding a class of two graded by instructor.grade (`--out .`)."""
    course = CourseDir(tmp_path_factory.mktemp("course"))
    generate_release(course, [LESSON])
    submissions = tmp_path_factory.mktemp("submissions")
    released = COURSE / f"{LESSON}.ipynb"
    sources = solution_sources(LESSON)
    answers = {"ada": sources, "ben": {EXERCISE: sources[EXERCISE]}}
    for student_id, cells in answers.items():
        write_submission(released, submissions / student_id / LESSON / released.name, cells)
    graded = subprocess.run(
        [sys.executable, "-m", "instructor.grade", submissions, "--out", ".", "--lesson", LESSON],
        cwd=course.root, env=course.environment(), capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert graded.returncode == 0, graded.stderr
    return course.root


@pytest.fixture(scope="module")
def instructor_lab(graded_course, tmp_path_factory):
    with LabServer("instructor", graded_course, tmp_path_factory.mktemp("instructor")) as lab:
        yield lab


def scores_in_grades_csv(course) -> dict[str, tuple[float, float]]:
    """{student_id: (score, max_score)} of the lesson in the grader's grades.csv."""
    with open(course / "grades.csv") as table:
        rows = [row for row in csv.DictReader(table) if row["lesson"] == LESSON]
    return {row["student_id"]: (float(row["score"]), float(row["max_score"])) for row in rows}


def test_the_instructor_has_every_nbgrader_tool(chromium, instructor_lab):
    master = f"lab/tree/source/{LESSON}/{LESSON}.ipynb"
    notebook = Notebook(chromium).open(instructor_lab.url(master))
    labels = set(notebook.menu_labels("Nbgrader"))
    assert INSTRUCTOR_TOOLS | STUDENT_TOOLS <= labels, labels


def test_formgrader_shows_the_graders_scores(chromium, instructor_lab, graded_course):
    expected = scores_in_grades_csv(graded_course)
    chromium.get(instructor_lab.url(f"formgrader/gradebook/{LESSON}/{LESSON}"))
    wait_for(
        chromium,
        lambda d: d.find_element(By.TAG_NAME, "body").text.count("Submission #") == len(expected),
        "formgrader's list of submissions",
    )
    chromium.find_element(By.ID, "toggle_names").click()  # anonymous until asked
    rows = wait_for(
        chromium,
        lambda d: [
            row.text
            for row in d.find_elements(By.CSS_SELECTOR, "table tbody tr")
            if any(student_id in row.text for student_id in expected)
        ],
        "the students' names in formgrader",
    )
    screenshot(chromium, "instructor-01-formgrader-gradebook")
    for student_id, (score, max_score) in expected.items():
        row = next(row for row in rows if student_id in row)
        assert f"{score:g} / {max_score:g}" in row, (student_id, score, rows)


def test_the_instructor_opens_a_students_feedback(chromium, instructor_lab, graded_course):
    score, max_score = scores_in_grades_csv(graded_course)["ben"]
    chromium.get(instructor_lab.url(f"files/feedback/ben/{LESSON}/{LESSON}.html"))
    text = wait_for(chromium, lambda d: d.find_element(By.TAG_NAME, "body").text, "feedback")
    screenshot(chromium, "instructor-02-feedback")
    assert f"{LESSON} (Score: {score:.1f} / {max_score:.1f})" in text, text[:1500]
