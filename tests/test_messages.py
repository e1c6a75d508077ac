"""The lines students read, worded in one place (rnnlab.checks.messages)."""

import numpy as np

from rnnlab.checks import messages


def test_a_difference_names_the_largest_error_and_the_count():
    expected = np.array([[-0.003778, 0.5], [0.2, -0.7]])
    actual = np.array([[-0.00377, 0.5], [2.1, -0.7]])  # a small error first, a large one later
    line = messages.difference("c_next", actual, expected)
    assert (
        line == "c_next[1, 0] should be 0.2 but is 2.1 (the largest error; 2 of 4 elements differ)"
    )


def test_nan_counts_as_the_largest_error():
    line = messages.difference("y", np.array([0.5, np.nan]), np.array([0.4, 0.5]))
    assert line.startswith("y[1] should be 0.5 but is nan")


def test_a_permuted_shape_says_the_axes_are_in_the_wrong_order():
    line = messages.difference("h", np.zeros((3, 2, 4)), np.zeros((2, 3, 4)))
    assert line.endswith("so the axes are in the wrong order")


def test_the_untouched_message():
    assert messages.raised("NotImplementedError", "", number=2, name="rnn_cell_forward") == (
        "exercise 2 (`rnn_cell_forward`) is not done yet: replace the "
        "`raise NotImplementedError()` with your code"
    )


def test_a_squeeze_error_gets_no_transpose_hint():
    line = messages.raised("AxisError", "cannot select an axis to squeeze out which has size "
                           "not equal to one")  # fmt: skip
    assert ".T" not in line and "which way round" not in line


def test_a_failed_product_names_the_inputs_of_those_sizes_without_promising_a_transpose():
    message = (
        "matmul: Input operand 1 has a mismatch in its core dimension 0 (size 5 is "
        "different from 3)"
    )
    inputs = {"x_t": np.zeros((2, 3)), "W_x": np.zeros((3, 5)), "W_h": np.zeros((5, 5))}
    line = messages.raised("ValueError", message, line=4, inputs=inputs)
    assert line.startswith("shape error (line 4 of your cell)")
    assert "W_x (3, 5)" in line and "W_h" not in line and "may need .T" not in line


def test_nan_names_both_causes_instead_of_claiming_an_overflow():
    line = messages.not_finite("softmax(z)", np.array([[np.nan, np.nan], [0.5, 0.5]]))
    assert "inf / inf (np.exp overflowed) or 0 / 0 (every np.exp of a row underflowed)" in line
    assert "own max, over the axis the sum runs over" in line
    assert "overflowed" in messages.not_finite("y", np.array([np.inf]))


def test_private_paths_are_cut_to_their_last_part():
    text = "No such file: '/srv/grader/course/grader_tests/test_01_rnn_forward.py' here"
    assert messages.hide_paths(text) == "No such file: 'test_01_rnn_forward.py' here"


def test_a_result_that_is_not_the_expected_dict():
    keys = ("dx", "dh0")
    assert messages.not_a_dict("rnn_backward", (1, 2), keys) == (
        "rnn_backward should be a dict with the keys 'dx', 'dh0', not a tuple"
    )
    assert messages.missing_key("rnn_backward", "dh0", keys) == (
        "rnn_backward has no key 'dh0'; it needs the keys 'dx', 'dh0'"
    )
