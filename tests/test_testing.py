import numpy as np
import pytest

from rnnlab.testing import CheckFailed, expect_close, expect_shape, expect_unchanged


def test_expect_close_names_the_first_wrong_element():
    actual = np.array([[1.0, 2.0], [3.0, 5.0]])
    with pytest.raises(CheckFailed) as caught:
        expect_close("y", actual, [[1.0, 2.0], [3.0, 4.0]])
    assert str(caught.value) == "y[1, 1] should be 4 but is 5 (1 of 4 elements differ)"


def test_expect_close_reports_nan_and_shape():
    with pytest.raises(CheckFailed, match=r"y\[0\] should be 1 but is nan"):
        expect_close("y", np.array([np.nan]), [1.0])
    with pytest.raises(CheckFailed, match=r"should have shape \(2, 3\) but has shape \(3, 2\)"):
        expect_close("h", np.zeros((3, 2)), np.zeros((2, 3)))


def test_expect_shape_rejects_lists():
    with pytest.raises(CheckFailed, match="should be a NumPy array of shape .* got list"):
        expect_shape("h", [1, 2], (2,))


def test_expect_unchanged():
    expect_unchanged("x", np.ones(3), np.ones(3))
    with pytest.raises(CheckFailed, match="changed its input 'x'"):
        expect_unchanged("x", np.ones(3), np.zeros(3))
