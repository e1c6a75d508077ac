"""Checks for test code: each failure says what was expected and what was found.

    expect_shape("h_next", h_next, (N, H))
    expect_close("y_t", y_t, y_expected)

A failure raises `CheckFailed` (an AssertionError) whose message names the value, the
expected and actual shapes, or the element with the largest error, its index and how many
elements differ (worded by rnnlab.checks.messages, as in every report of the course).
"""

import numpy as np

from rnnlab.checks import messages


class CheckFailed(AssertionError):
    """A value in a test did not match what was expected."""


def expect_shape(name: str, actual, shape: tuple) -> None:
    """Fail unless `actual` is an array of exactly `shape`."""
    if not isinstance(actual, np.ndarray):
        raise CheckFailed(messages.wrong_type(name, actual, shape))
    if actual.shape != tuple(shape):
        raise CheckFailed(messages.wrong_shape(name, actual.shape, shape))


def expect_close(name: str, actual, expected, rtol: float = 1e-6, atol: float = 1e-8) -> None:
    """Fail unless `actual` has the shape of `expected` and the same values within tolerance."""
    line = messages.difference(name, actual, expected, rtol, atol)
    if line:
        raise CheckFailed(line)


def expect_unchanged(name: str, before: np.ndarray, after: np.ndarray) -> None:
    """Fail if an input array was modified in place."""
    if not np.array_equal(before, after, equal_nan=True):
        raise CheckFailed(messages.changed_input(name))
