"""The helpers of grader_tests/layer_checks.py, used by the hidden tests of lessons 04-05."""

import numpy as np
import pytest

from autograde.observe import outside_data
from grader_tests.grading import LocalFunction, expect_results
from grader_tests.layer_checks import expect_gradients_ok, expect_no_outside_data, expect_not_shaped
from rnnlab.layers import Softmax
from rnnlab.testing import CheckFailed

NOTEBOOK = {"np": np, "hs": np.ones((2, 3)), "layer": Softmax(), "Softmax": Softmax, "k": 3}


def _define(source: str):
    scope = dict(NOTEBOOK)
    exec(source, scope)
    return scope["f"]


def _student(source: str) -> LocalFunction:
    scope = dict(NOTEBOOK)
    exec(source, scope)
    return LocalFunction(scope, "f", code=None)


def test_outside_data_finds_arrays_layers_and_undefined_names_only():
    f = _define(
        "def f(dc, cache):\n"
        "    x, = cache\n"
        "    y = [hs[i] * k for i in range(2)]\n"  # inside a comprehension too
        "    return layer.backward(dc) + np.sum(y) + Softmax().params.count(0) + missing\n"
    )
    assert outside_data(f) == ["hs", "layer", "missing"]


def test_a_function_using_only_its_arguments_passes():
    source = "def f(dc, cache):\n    hs, a = cache\n    return np.sum(hs * dc), len(a)\n"
    assert outside_data(_define(source)) == []
    expect_no_outside_data(_student(source), "cache")


def test_expect_no_outside_data_names_the_globals():
    f = _student("def f(dc, cache):\n    return hs * dc\n")
    with pytest.raises(CheckFailed, match="f uses the global name 'hs' instead of taking it"):
        expect_no_outside_data(f, "cache")


def test_expect_results_and_expect_not_shaped():
    assert expect_results("g", (1, 2), ("a", "b")) == (1, 2)
    assert expect_results("g", [1, 2], ("a", "b")) == (1, 2)  # a list is the same answer
    with pytest.raises(CheckFailed, match=r"g should return 2 values \(a, b\), it returns a nd"):
        expect_results("g", np.zeros(2), ("a", "b"))
    expect_not_shaped("da", np.zeros((2, 3)), (2, 3), {(2, 3): "never reported"})
    expect_not_shaped("da", np.zeros((2, 4)), (2, 3), {(4, 4): "another shape"})
    with pytest.raises(CheckFailed, match=r"\(2, 3\) but has shape \(2, 4\). Likely mistake: m"):
        expect_not_shaped("da", np.zeros((2, 4)), (2, 3), {(2, 4): "m"})


def test_expect_gradients_ok_reports_the_wrong_input():
    x, dout = np.array([[0.5, -1.0]]), np.array([[1.0, 2.0]])
    expect_gradients_ok(lambda x: x**2, lambda d: 2 * x * d, {"x": x}, dout)
    with pytest.raises(CheckFailed, match=r"numerical gradient check: x: WRONG.* at x\[0, 1\]"):
        expect_gradients_ok(lambda x: x**2, lambda d: x * d, {"x": x}, np.array([[0.0, 2.0]]))
