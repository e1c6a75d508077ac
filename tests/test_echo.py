"""The delayed-echo task of lesson 08 and the library LSTM behind lesson 08's interface."""

import numpy as np

from rnnlab.echo import accuracy, echo_batch, lstm_layer_backward, lstm_layer_forward, train
from rnnlab.gradcheck import check_with_cache
from rnnlab.params import lstm_params


def test_targets_are_the_symbols_delay_steps_back():
    x, targets = echo_batch(np.random.default_rng(0), N=3, T=7, K=4, delay=2)
    assert x.shape == (3, 7, 4) and targets.shape == (3, 5)
    np.testing.assert_array_equal(x.sum(axis=-1), 1.0)
    np.testing.assert_array_equal(x[:, :5].argmax(axis=-1), targets)


def test_lstm_layer_backward_matches_numerical_gradients():
    rng = np.random.default_rng(1)
    N, T, D, H = 2, 3, 4, 3
    inputs = {
        name: rng.standard_normal(shape)
        for name, shape in (("x", (N, T, D)), ("h0", (N, H)), ("c0", (N, H)))
    }
    params = lstm_params(rng, D, H)
    dh = rng.standard_normal((N, T, H))
    reports = check_with_cache(lstm_layer_forward, lstm_layer_backward, inputs, dh, params)
    assert all(report.ok for report in reports), "\n".join(map(str, reports))


def test_training_learns_the_echo_and_leaves_the_params_alone():
    rng = np.random.default_rng(8)
    x, targets = echo_batch(rng, N=128, T=10, K=4, delay=3)
    params = lstm_params(rng, D=4, H=16, V=4, scale=0.3)
    before = {name: value.copy() for name, value in params.items()}
    losses, trained = train(lstm_layer_forward, lstm_layer_backward, params, x, targets, 100, 0.05)
    assert losses.shape == (100,) and losses[0] > 1.0 and losses[-1] < 0.05
    for name, value in params.items():
        np.testing.assert_array_equal(value, before[name])
    fresh_x, fresh_targets = echo_batch(np.random.default_rng(9), N=500, T=10, K=4, delay=3)
    assert accuracy(lstm_layer_forward, trained, fresh_x, fresh_targets) > 0.7
