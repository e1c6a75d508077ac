"""The forward passes with caches that lessons 07 and 08 backpropagate through."""

import numpy as np

from rnnlab.lstm_cells import lstm1_step_stacked, stack_lstm_params
from rnnlab.params import lstm_params, rnn_params
from rnnlab.recurrent import lstm_step, rnn_sequence, rnn_step


def test_rnn_step_and_its_cache():
    rng = np.random.default_rng(0)
    params = rnn_params(rng, D=3, H=4, V=2)
    x_t, h_prev = rng.standard_normal((2, 3)), rng.standard_normal((2, 4))
    h_next, cache = rnn_step(x_t, h_prev, params)
    expected = np.tanh(x_t @ params["W_x"] + h_prev @ params["W_h"] + params["b"])
    np.testing.assert_allclose(h_next, expected, rtol=1e-12)
    assert cache[0] is x_t and cache[1] is h_prev and cache[2] is h_next and cache[3] is params


def test_rnn_sequence_carries_the_state_and_keeps_one_cache_per_step():
    rng = np.random.default_rng(1)
    params = rnn_params(rng, D=3, H=4, V=2)
    x, h0 = rng.standard_normal((2, 5, 3)), rng.standard_normal((2, 4))
    h, caches = rnn_sequence(x, h0, params)
    assert h.shape == (2, 5, 4) and len(caches) == 5
    h_t = h0
    for t in range(5):
        h_t, _ = rnn_step(x[:, t], h_t, params)
        np.testing.assert_allclose(h[:, t], h_t, rtol=1e-12)
        np.testing.assert_array_equal(caches[t][1], h0 if t == 0 else h[:, t - 1])


def test_lstm_step_equals_the_stacked_step_and_caches_its_inputs():
    rng = np.random.default_rng(2)
    params = lstm_params(rng, D=3, H=4)
    x_t, h_prev, c_prev = (rng.standard_normal((2, n)) for n in (3, 4, 4))
    h_next, c_next, cache = lstm_step(x_t, h_prev, c_prev, params)
    h_ref, c_ref, gates_ref = lstm1_step_stacked(x_t, h_prev, c_prev, stack_lstm_params(params))
    np.testing.assert_allclose(h_next, h_ref, rtol=1e-12)
    np.testing.assert_allclose(c_next, c_ref, rtol=1e-12)
    cached_x, cached_h, cached_c, cached_c_next, gates, cached_params = cache
    cached_inputs = (cached_x, cached_h, cached_c, cached_params)
    assert all(a is b for a, b in zip(cached_inputs, (x_t, h_prev, c_prev, params), strict=True))
    np.testing.assert_array_equal(cached_c_next, c_next)
    for k in "fiog":
        np.testing.assert_allclose(gates[k], gates_ref[k], rtol=1e-12)
