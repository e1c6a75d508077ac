import numpy as np

from rnnlab import sigmoid
from rnnlab.lstm_cells import (
    GATE_ORDER,
    lstm1_step_stacked,
    stack_lstm_params,
    unstack_lstm_params,
)
from rnnlab.params import lstm_params


def _separate_step(x_t, h_prev, c_prev, p):
    gate = {k: x_t @ p[f"W_{k}"] + h_prev @ p[f"U_{k}"] + p[f"b_{k}"] for k in "fiog"}
    f, i, o, g = sigmoid(gate["f"]), sigmoid(gate["i"]), sigmoid(gate["o"]), np.tanh(gate["g"])
    c_next = f * c_prev + i * g
    return o * np.tanh(c_next), c_next, {"f": f, "i": i, "o": o, "g": g}


def test_stacked_shapes_and_gate_order():
    params = lstm_params(np.random.default_rng(0), D=3, H=5)
    stacked = stack_lstm_params(params)
    assert GATE_ORDER == ("f", "i", "o", "g")
    assert stacked["W"].shape == (3, 20) and stacked["U"].shape == (5, 20)
    assert stacked["b"].shape == (20,)
    for k, gate in enumerate(GATE_ORDER):
        np.testing.assert_array_equal(stacked["W"][:, 5 * k : 5 * (k + 1)], params[f"W_{gate}"])
        np.testing.assert_array_equal(stacked["U"][:, 5 * k : 5 * (k + 1)], params[f"U_{gate}"])
        np.testing.assert_array_equal(stacked["b"][5 * k : 5 * (k + 1)], params[f"b_{gate}"])


def test_stacked_step_equals_the_four_weight_sets():
    rng = np.random.default_rng(1)
    params = lstm_params(rng, D=4, H=3)
    x_t, h_prev, c_prev = (rng.standard_normal((2, n)) for n in (4, 3, 3))
    h_next, c_next, gates = lstm1_step_stacked(x_t, h_prev, c_prev, stack_lstm_params(params))
    h_ref, c_ref, gates_ref = _separate_step(x_t, h_prev, c_prev, params)
    np.testing.assert_allclose(h_next, h_ref, rtol=1e-12)
    np.testing.assert_allclose(c_next, c_ref, rtol=1e-12)
    for k in GATE_ORDER:
        np.testing.assert_allclose(gates[k], gates_ref[k], rtol=1e-12)


def test_stacked_step_holds_memory_with_an_open_forget_gate():
    rng = np.random.default_rng(2)
    params = lstm_params(rng, D=2, H=2)
    params.update(b_f=np.full(2, 50.0), b_i=np.full(2, -50.0))
    c_prev = rng.standard_normal((1, 2))
    _, c_next, _ = lstm1_step_stacked(
        rng.standard_normal((1, 2)), np.zeros((1, 2)), c_prev, stack_lstm_params(params)
    )
    np.testing.assert_allclose(c_next, c_prev, atol=1e-12)


def test_unstack_is_the_inverse_of_stack_and_keeps_name_prefixes():
    params = lstm_params(np.random.default_rng(3), D=3, H=2)
    unstacked = unstack_lstm_params(stack_lstm_params(params))
    assert sorted(unstacked) == sorted(params)
    for name, value in params.items():
        np.testing.assert_array_equal(unstacked[name], value)
    stacked_grads = {"d" + name: value for name, value in stack_lstm_params(params).items()}
    assert sorted(unstack_lstm_params(stacked_grads)) == sorted("d" + name for name in params)
