"""Checks shared by the hidden tests of the layer lessons (04 WeightSum, 05 AttentionWeight).

A layer lesson grades a forward function `f(*inputs) -> (output, cache)` and a backward
function `g(dout, cache) -> gradients`. These helpers turn the usual ways such functions go
wrong into one-line messages: a dict without the expected keys, a shape that betrays a
particular mistake, a backward that reads notebook variables instead of its cache, and a
numerical gradient check that fails. The first two serve the LSTM and backward lessons too.
"""

from typing import Callable

import numpy as np

from grader_tests.recording import note
from rnnlab.checks import messages
from rnnlab.gradcheck import check_gradients
from rnnlab.testing import CheckFailed


def expect_no_outside_data(function, source: str) -> None:
    """Fail when the student function's last call read data from the notebook instead of
    from `source` (see autograde.observe.outside_data)."""
    note("own_data", None, source=source)
    names = function.outside_data()
    if names:
        raise CheckFailed(messages.outside_data(function.name, names, source))


def call_own_data(function: Callable, source: str, *args):
    """Call function(*args), and fail if it reads data from the notebook (outside_data).

    The check comes after the call, so an untouched exercise still reports its
    NotImplementedError; when the call fails otherwise, a notebook read is named first.
    """
    try:
        outputs = function(*args)
    except NotImplementedError:
        raise
    except Exception:
        expect_no_outside_data(function, source)
        raise
    expect_no_outside_data(function, source)
    return outputs


def expect_keys(name: str, actual, keys: tuple) -> None:
    """Fail unless `actual` is a dict with (at least) the keys `keys`."""
    if not isinstance(actual, dict):
        raise CheckFailed(messages.not_a_dict(name, actual, keys))
    missing = [key for key in keys if key not in actual]
    if missing:
        raise CheckFailed(messages.missing_key(name, missing[0], keys))


def expect_not_shaped(name: str, actual, expected_shape: tuple, known: dict) -> None:
    """Name the mistake when `actual` has a wrong shape that a known mistake produces.

    known: {shape: description of the mistake that gives this shape}.
    """
    note("shapes", actual, name=name, known=known)
    shape = np.shape(actual)
    if shape != tuple(expected_shape) and shape in known:
        line = messages.wrong_shape(name, shape, expected_shape)
        raise CheckFailed(messages.likely(line, known[shape]))


def expect_gradients_ok(
    forward: Callable, backward: Callable, inputs: dict, dout: np.ndarray, tolerance=1e-5
) -> None:
    """Run rnnlab.gradcheck.check_gradients and fail with the reports of the wrong inputs."""
    reports = check_gradients(forward, backward, inputs, dout, tolerance=tolerance)
    wrong = [str(report) for report in reports if not report.ok]
    if wrong:
        raise CheckFailed("numerical gradient check: " + "; ".join(wrong))


def expect_cached_gradients_ok(
    forward: Callable, backward: Callable, inputs: dict, dout: np.ndarray, tolerance=1e-4
) -> None:
    """expect_gradients_ok for a layer in the course interface: forward(**inputs) returns
    (out, cache) and backward(dout, cache) the gradients of the inputs, in their order."""
    state = {}

    def forward_out(**arrays):
        out, state["cache"] = forward(**arrays)
        return out

    def backward_grads(upstream):
        return tuple(backward(upstream, state["cache"]))

    expect_gradients_ok(forward_out, backward_grads, inputs, dout, tolerance)
