import numpy as np
import pytest

from rnnlab import ShapeError, check_shapes


def test_binds_symbols_and_returns_sizes():
    sizes = check_shapes(x=(np.zeros((4, 7, 3)), "N T D"), h0=(np.zeros((4, 5)), "N H"))
    assert sizes == {"N": 4, "T": 7, "D": 3, "H": 5}


def test_names_argument_expected_and_actual_shape():
    with pytest.raises(ShapeError) as caught:
        check_shapes(x_t=(np.zeros((2, 3)), "N D"), h_prev=(np.zeros((3, 5)), "N H"))
    assert (
        str(caught.value)
        == "argument 'h_prev' should have shape (N, H) = (2, ?) but has shape (3, 5)."
    )


def test_spots_a_transposed_weight_using_later_arguments():
    with pytest.raises(
        ShapeError, match=r"'W_x' should have shape \(D, H\) = \(3, 5\).*transposed"
    ):
        check_shapes(
            x_t=(np.zeros((2, 3)), "N D"),
            W_x=(np.zeros((5, 3)), "D H"),
            W_h=(np.zeros((5, 5)), "H H"),
        )


def test_reports_a_missing_axis():
    with pytest.raises(
        ShapeError, match=r"'b' should have shape \(H,\) = \(5,\).*2 axes instead of 1"
    ):
        check_shapes(W_h=(np.zeros((5, 5)), "H H"), b=(np.zeros((1, 5)), "H"))


def test_fixed_sizes_in_a_spec():
    check_shapes(pair=(np.zeros((4, 2)), ("N", 2)))
    with pytest.raises(ShapeError, match=r"\(N, 2\) = \(\?, 2\) but has shape \(4, 3\)"):
        check_shapes(pair=(np.zeros((4, 3)), ("N", 2)))
