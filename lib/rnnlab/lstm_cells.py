"""The stacked form of a type-1 (standard) LSTM step, for demonstrations and figures.

Lesson 02 times it against the four-weight-set cell that students write, and lesson 03
draws type 1 with it next to the student's type 2, without depending on lesson 02's answer.

The four weight sets are stacked side by side in the order GATE_ORDER = (f, i, o, g):

    W = [W_f | W_i | W_o | W_g]: (D, 4H),  U = [U_f | U_i | U_o | U_g]: (H, 4H),  b: (4H,)

so one step makes two matrix products; the first 3H columns go through the sigmoid
(the three gates) and the last H through tanh (the candidate).
"""

import numpy as np

from rnnlab.functions import sigmoid
from rnnlab.params import LSTM_GATES

GATE_ORDER = LSTM_GATES


def stack_lstm_params(params: dict) -> dict:
    """Stack type-1 parameters W_<k>: (D, H), U_<k>: (H, H), b_<k>: (H,) for k in GATE_ORDER.

    Returns W: (D, 4H), U: (H, 4H), b: (4H,); columns [k*H, (k+1)*H) belong to GATE_ORDER[k].
    """
    return {
        "W": np.concatenate([params[f"W_{k}"] for k in GATE_ORDER], axis=1),
        "U": np.concatenate([params[f"U_{k}"] for k in GATE_ORDER], axis=1),
        "b": np.concatenate([params[f"b_{k}"] for k in GATE_ORDER]),
    }


def unstack_lstm_params(stacked: dict) -> dict:
    """The inverse of stack_lstm_params: W: (D, 4H), U: (H, 4H), b: (4H,) in GATE_ORDER
    -> W_<k>: (D, H), U_<k>: (H, H), b_<k>: (H,). Any prefix of the names is kept, so
    stacked gradients {"dW", "dU", "db"} give {"dW_f", ..., "db_g"}."""
    return {
        f"{name}_{k}": block
        for name, value in stacked.items()
        for k, block in zip(GATE_ORDER, np.split(value, len(GATE_ORDER), axis=-1), strict=True)
    }


def lstm1_step_stacked(x_t, h_prev, c_prev, stacked: dict):
    """One type-1 LSTM step with stacked weights (see stack_lstm_params).

    x_t: (N, D), h_prev: (N, H), c_prev: (N, H), stacked: W (D, 4H), U (H, 4H), b (4H,).
    Returns h_next: (N, H), c_next: (N, H), gates: {"f", "i", "o", "g"}, each (N, H).
    """
    H = h_prev.shape[1]
    z = x_t @ stacked["W"] + h_prev @ stacked["U"] + stacked["b"]
    f, i, o = np.split(sigmoid(z[:, : 3 * H]), 3, axis=1)
    g = np.tanh(z[:, 3 * H :])
    c_next = f * c_prev + i * g
    h_next = o * np.tanh(c_next)
    return h_next, c_next, {"f": f, "i": i, "o": o, "g": g}
