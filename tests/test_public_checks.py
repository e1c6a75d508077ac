"""check(name), the visible checks of a graded cell: its report and its one stderr line."""

import functools
import logging

import numpy as np
import pytest

from autograde.observe import unfinished_helper
from grader_tests.grading import reference
from rnnlab.checks.public import check

UNTOUCHED = '''
def softmax(z):
    """z: (..., K)."""
    raise NotImplementedError()
'''
ROW_MIN = '''
def softmax(z):
    """z: (..., K)."""
    e = np.exp(z - z.min(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
'''


def _check(source: str, capsys) -> tuple:
    """(stdout, stderr) of check("softmax") in a notebook namespace holding `source`."""
    namespace = {"np": np, "check": check}
    exec(source, namespace)
    exec('check("softmax")', namespace)
    return capsys.readouterr()


def test_an_untouched_exercise_says_so_in_one_stderr_line(capsys, monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    out, err = _check(UNTOUCHED, capsys)
    line = "exercise 1 (`softmax`) is not done yet: replace the `raise NotImplementedError()`"
    assert line in out and err.count("\n") == 1 and err.startswith(line)


def test_a_wrong_answer_gets_the_report_and_a_summary(capsys, monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "validate")
    out, err = _check(ROW_MIN, capsys)
    assert "Likely mistake: each row's minimum is subtracted, not its max" in out
    assert err.count("\n") == 1 and err.startswith("softmax: 1 of 2 checks fail (first: ")
    assert "Traceback" not in out + err


def test_the_right_answer_writes_nothing_to_stderr(capsys, monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    namespace = {"check": check, "softmax": reference("01_rnn_forward").softmax}
    exec('check("softmax")', namespace)
    out, err = capsys.readouterr()
    assert out.startswith("softmax: all 2 visible checks pass") and err == ""


@pytest.mark.parametrize("source", [UNTOUCHED, ROW_MIN])
def test_while_autograding_check_is_silent(source, capsys, monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert _check(source, capsys) == ("", "")


def test_a_function_without_code_of_its_own_gets_its_error_line(capsys, monkeypatch):
    """softmax = functools.partial(...) has no __code__: check() crashed reading the line
    of the error it raised (AttributeError) instead of reporting the error."""
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    namespace = {"check": check, "softmax": functools.partial(np.stack, axis=5)}
    exec('check("softmax")', namespace)
    out, err = capsys.readouterr()
    assert "shape error: axis 5 is out of bounds" in out and err.count("\n") == 1


def test_a_libraries_not_implemented_error_is_not_an_unfinished_notebook_function():
    """Only a function of the notebook is "not done yet": a NotImplementedError that a
    library raises is reported as the error it is."""

    def exercise(x):
        return logging.Handler().emit(x)  # "must be implemented by Handler subclasses"

    def helper(x):
        raise NotImplementedError

    def calls_helper(x):
        return helper(x)

    for function, expected in ((exercise, ""), (calls_helper, "helper")):
        try:
            function(np.zeros(2))
        except NotImplementedError as error:
            assert unfinished_helper(function, error) == expected
        else:
            raise AssertionError(f"{function.__name__} raised nothing")
