"""`python -m rnnlab.validate` exits 1 when nbgrader's validation fails, 0 when it passes."""

import subprocess
import sys

import nbformat

from instructor.classes.notebooks import solution_sources, write_submission
from instructor.engine.course import COURSE

LESSON = "01_rnn_forward"


def graded_cell(source: str, **nbgrader) -> nbformat.NotebookNode:
    meta = {"grade": True, "grade_id": "check", "points": 1, "solution": False, "locked": False}
    meta.update(schema_version=3, **nbgrader)
    return nbformat.v4.new_code_cell(source, metadata={"nbgrader": meta})


def write_notebook(path, *cells) -> str:
    notebook = nbformat.v4.new_notebook(cells=list(cells))
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(notebook, path)
    return str(path)


def run_validate(*notebooks, cwd):
    return subprocess.run(
        [sys.executable, "-m", "rnnlab.validate", *notebooks],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_failing_graded_cell_exits_1_and_names_the_error(tmp_path):
    failing = write_notebook(
        tmp_path / "failing.ipynb",
        graded_cell('raise AssertionError("exercise 1 (softmax) is not done yet")'),
    )
    done = run_validate(failing, cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "VALIDATION FAILED ON 1 CELL(S)" in done.stdout
    assert "exercise 1 (softmax) is not done yet" in done.stdout


def test_a_changed_locked_cell_exits_1(tmp_path):
    changed = write_notebook(
        tmp_path / "changed.ipynb", graded_cell("1", locked=True, checksum="0" * 32)
    )
    done = run_validate(changed, cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "THE CONTENTS OF 1 TEST CELL(S) HAVE CHANGED" in done.stdout


def test_a_missing_notebook_exits_1(tmp_path):
    done = run_validate(str(tmp_path / "nowhere.ipynb"), cwd=tmp_path)
    assert done.returncode == 1
    assert "could not validate" in done.stdout


def test_the_completed_lesson_exits_0_and_one_failure_among_several_exits_1(tmp_path):
    completed = tmp_path / f"{LESSON}.ipynb"
    write_submission(COURSE / completed.name, completed, solution_sources(LESSON))
    done = run_validate(str(completed), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success! Your notebook passes all the tests." in done.stdout

    failing = write_notebook(tmp_path / "failing.ipynb", graded_cell("1 / 0"))
    done = run_validate(str(completed), failing, cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.count("Success!") == 1 and "ZeroDivisionError" in done.stdout
