"""Checks for test cells: each failure says what was expected and what was found.

    expect_shape("h_next", h_next, (N, H))
    expect_close("y_t", y_t, y_expected)

A failure raises `CheckFailed` (an AssertionError) whose message names the value, the
expected and actual shapes, and the first element that differs with its index.
"""

import numpy as np


class CheckFailed(AssertionError):
    """A value in a test did not match what was expected."""


def expect_shape(name: str, actual, shape: tuple) -> None:
    """Fail unless `actual` is an array of exactly `shape`."""
    if not isinstance(actual, np.ndarray):
        kind = type(actual).__name__
        raise CheckFailed(f"{name} should be a NumPy array of shape {shape}, got {kind}")
    if actual.shape != tuple(shape):
        raise CheckFailed(f"{name} should have shape {tuple(shape)} but has shape {actual.shape}")


def first_difference(actual, expected, rtol: float, atol: float, equal_nan: bool = False):
    """Index of the first element outside the tolerance, or None.

    NaN counts as different unless `equal_nan` (used to recognise a known wrong answer).
    """
    close = np.isclose(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan)
    if close.all():
        return None
    return tuple(int(i) for i in np.argwhere(~close)[0])


def expect_close(name: str, actual, expected, rtol: float = 1e-6, atol: float = 1e-8) -> None:
    """Fail unless `actual` has the shape of `expected` and the same values within tolerance."""
    expected = np.asarray(expected)
    expect_shape(name, actual, expected.shape)
    index = first_difference(actual, expected, rtol, atol)
    if index is None:
        return
    where = f"[{', '.join(map(str, index))}]" if index else ""
    found = actual[index] if index else actual
    wanted = expected[index] if index else expected
    count = int(np.sum(~np.isclose(actual, expected, rtol=rtol, atol=atol)))
    raise CheckFailed(
        f"{name}{where} should be {wanted:.6g} but is {found:.6g} "
        f"({count} of {expected.size} elements differ)"
    )


def expect_unchanged(name: str, before: np.ndarray, after: np.ndarray) -> None:
    """Fail if an input array was modified in place."""
    if not np.array_equal(before, after, equal_nan=True):
        raise CheckFailed(f"your function changed its input '{name}' in place; work on a copy")
