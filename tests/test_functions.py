import numpy as np

from rnnlab import sigmoid, softmax


def test_softmax_matches_the_definition_on_small_scores():
    z = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    expected = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(softmax(z), expected, rtol=1e-12)


def test_softmax_is_finite_on_huge_scores_and_sums_to_one():
    z = np.array([[1e4, 1e4 + 1, -1e4]])
    result = softmax(z)
    assert np.all(np.isfinite(result))
    np.testing.assert_allclose(result.sum(axis=-1), 1.0)


def test_softmax_axis_and_input_untouched():
    z = np.random.default_rng(0).standard_normal((2, 3, 4))
    before = z.copy()
    np.testing.assert_allclose(softmax(z, axis=1).sum(axis=1), np.ones((2, 4)))
    np.testing.assert_array_equal(z, before)


def test_sigmoid_matches_the_logistic_function_without_overflow():
    z = np.linspace(-30, 30, 13)
    np.testing.assert_allclose(sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-12)
    assert sigmoid(np.array([-1e4]))[0] == 0.0
