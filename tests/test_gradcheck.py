import numpy as np

from rnnlab.gradcheck import (
    check_gradients,
    check_layer,
    check_with_cache,
    compare_gradients,
    numerical_gradient,
)
from rnnlab.layers import Softmax


def test_numerical_gradient_of_a_quadratic_and_input_restored():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    before = x.copy()
    grad = numerical_gradient(lambda: float(np.sum(x**2)), x)
    np.testing.assert_allclose(grad, 2 * before, rtol=1e-8)
    np.testing.assert_array_equal(x, before)


def test_report_names_the_worst_element():
    report = compare_gradients(
        "dW", np.array([[1.0, 2.0], [3.0, 9.0]]), np.array([[1.0, 2.0], [3.0, 4.0]])
    )
    assert not report.ok and report.worst_index == (1, 1)
    assert str(report).startswith(
        "dW: WRONG, relative error 3.85e-01 at dW[1, 1] (analytic 9, numerical 4)"
    )


def test_catches_a_wrong_backward_and_accepts_a_right_one():
    rng = np.random.default_rng(0)
    x, dout = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    good = check_gradients(
        lambda x: np.tanh(x), lambda d: d * (1 - np.tanh(x) ** 2), {"x": x}, dout
    )
    bad = check_gradients(lambda x: np.tanh(x), lambda d: d * (1 - np.tanh(x)), {"x": x}, dout)
    assert good[0].ok and not bad[0].ok


def test_softmax_layer_gradient():
    rng = np.random.default_rng(1)
    reports = check_layer(
        Softmax(), {"x": rng.standard_normal((2, 3, 5))}, rng.standard_normal((2, 3, 5))
    )
    assert all(report.ok for report in reports), [str(r) for r in reports]


def test_check_with_cache_reads_the_gradients_of_a_dict():
    rng = np.random.default_rng(3)
    inputs = {"x": rng.standard_normal((2, 3)), "W": rng.standard_normal((3, 4))}
    dout = rng.standard_normal((2, 4))

    def forward(x, W):
        return np.tanh(x @ W), (x, W)

    def backward(dout, cache):
        x, W = cache
        da = dout * (1 - np.tanh(x @ W) ** 2)
        return {"dx": da @ W.T, "dW": x.T @ da}

    def backward_without_tanh(dout, cache):
        x, W = cache
        return {"dx": dout @ W.T, "dW": x.T @ dout}

    assert all(report.ok for report in check_with_cache(forward, backward, inputs, dout))
    reports = check_with_cache(forward, backward_without_tanh, inputs, dout)
    assert [report.name for report in reports] == ["x", "W"]
    assert not any(report.ok for report in reports)


def test_check_with_cache_checks_the_entries_of_a_params_dict():
    rng = np.random.default_rng(4)
    x, dout = rng.standard_normal((2, 3)), rng.standard_normal((2, 4))
    params = {"W": rng.standard_normal((3, 4)), "b": rng.standard_normal(4)}

    def forward(x, params):
        return x @ params["W"] + params["b"], x

    def backward(dout, x):
        return {"dx": dout @ params["W"].T, "dW": x.T @ dout, "db": dout.sum(axis=0)}

    reports = check_with_cache(forward, backward, {"x": x}, dout, params=params)
    assert [report.name for report in reports] == ["x", "W", "b"]
    assert all(report.ok for report in reports)
