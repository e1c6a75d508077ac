"""Forward passes that keep what a backward pass needs: the caches of lessons 07 and 08.

Lessons 07 and 08 backpropagate through the RNN of lesson 01 and the type-1 LSTM of lesson
02. Their notebooks take the forward passes from here, so that no notebook shows another
lesson's answer (lessons 01 and 02 score an answer that calls these functions 0).

RNN step:  h_next = tanh(x_t @ W_x + h_prev @ W_h + b),
           cache = (x_t, h_prev, h_next, params), the layout of lesson 01.
LSTM step (type 1): f, i, o = sigmoid(x_t @ W_k + h_prev @ U_k + b_k), g = tanh(...),
           c_next = f * c_prev + i * g, h_next = o * tanh(c_next),
           cache = (x_t, h_prev, c_prev, c_next, gates, params), gates = {"f", "i", "o", "g"}.
"""

import numpy as np

from rnnlab.functions import sigmoid
from rnnlab.params import LSTM_GATES


def rnn_step(x_t, h_prev, params: dict) -> tuple:
    """One RNN step. x_t: (N, D), h_prev: (N, H), params: W_x (D, H), W_h (H, H), b (H,)
    (other entries, such as an output layer's W_y, are ignored).
    Returns h_next: (N, H) and cache = (x_t, h_prev, h_next, params)."""
    h_next = np.tanh(x_t @ params["W_x"] + h_prev @ params["W_h"] + params["b"])
    return h_next, (x_t, h_prev, h_next, params)


def rnn_sequence(x, h0, params: dict) -> tuple:
    """The RNN over a sequence. x: (N, T, D), h0: (N, H), params as in rnn_step.
    Returns h: (N, T, H), h[:, t] the state after step t, and caches: a list of T caches."""
    h_t, states, caches = h0, [], []
    for t in range(x.shape[1]):
        h_t, cache = rnn_step(x[:, t], h_t, params)
        states.append(h_t)
        caches.append(cache)
    return np.stack(states, axis=1), caches


def lstm_step(x_t, h_prev, c_prev, params: dict) -> tuple:
    """One type-1 LSTM step. x_t: (N, D), h_prev, c_prev: (N, H),
    params: W_k (D, H), U_k (H, H), b_k (H,) for k in f, i, o, g.
    Returns h_next: (N, H), c_next: (N, H) and
    cache = (x_t, h_prev, c_prev, c_next, gates, params), gates: {"f", "i", "o", "g"}, (N, H)."""
    gates = {}
    for k in LSTM_GATES:
        z = x_t @ params[f"W_{k}"] + h_prev @ params[f"U_{k}"] + params[f"b_{k}"]
        gates[k] = np.tanh(z) if k == "g" else sigmoid(z)
    c_next = gates["f"] * c_prev + gates["i"] * gates["g"]
    h_next = gates["o"] * np.tanh(c_next)
    return h_next, c_next, (x_t, h_prev, c_prev, c_next, gates, params)
