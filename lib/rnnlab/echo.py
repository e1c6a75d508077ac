"""The delayed echo: a small sequence task an LSTM learns in about a second (lesson 08).

An input is a sequence of T symbols out of K, one-hot, x: (N, T, K). From step `delay` on,
the target of step t is the symbol read at step t - delay, so the network has to keep the
last `delay` symbols in memory. The model is an LSTM and an output layer:

    h = lstm(x): (N, T, H),  scores = h[:, delay:] @ W_y + b_y: (N, T - delay, K),
    loss = mean softmax cross-entropy of the scores against targets: (N, T - delay).

`train` fits the model with Adam on one fixed batch. The LSTM comes in as two functions with
the interface of lesson 08, so the same run can use a student's layers or the library's
(`lstm_layer_forward`, `lstm_layer_backward`).
"""

import numpy as np

from rnnlab.layers import LSTM, SoftmaxCrossEntropy
from rnnlab.lstm_cells import stack_lstm_params, unstack_lstm_params
from rnnlab.optim import Adam


def echo_batch(rng: np.random.Generator, N: int, T: int, K: int, delay: int) -> tuple:
    """N random sequences: x: (N, T, K) one-hot symbols, targets: (N, T - delay) ints,
    targets[:, t] the symbol of step t (the answer expected at step t + delay)."""
    symbols = rng.integers(0, K, size=(N, T))
    return np.eye(K)[symbols], symbols[:, : T - delay]


def _output_layer(h, targets, params: dict, loss_layer) -> tuple:
    """Loss of the scores of the last targets.shape[1] steps of h: (N, T, H).
    Returns the loss, dh: (N, T, H) and {"dW_y": (H, K), "db_y": (K,)}."""
    delay, H = h.shape[1] - targets.shape[1], h.shape[2]
    scores = h[:, delay:] @ params["W_y"] + params["b_y"]
    loss = loss_layer.forward(scores, targets)
    dscores = loss_layer.backward()
    dh = np.zeros_like(h)
    dh[:, delay:] = dscores @ params["W_y"].T
    dW_y = h[:, delay:].reshape(-1, H).T @ dscores.reshape(-1, dscores.shape[-1])
    return loss, dh, {"dW_y": dW_y, "db_y": dscores.sum(axis=(0, 1))}


def train(lstm_forward, lstm_backward, params: dict, x, targets, steps: int, lr: float):
    """Adam on the batch (x: (N, T, K), targets: (N, T - delay)) for `steps` steps.

    lstm_forward(x, h0, c0, params) -> h: (N, T, H), caches; lstm_backward(dh, caches) ->
    a dict with dW_k, dU_k, db_k for k in f, i, o, g. params: those of lstm_params with an
    output layer (W_y: (H, K), b_y: (K,)); not changed (training works on a copy).
    Returns the losses: (steps,), each computed before that step's update, and the params.
    """
    params = {name: value.copy() for name, value in params.items()}
    N, H = x.shape[0], params["b_f"].shape[0]
    loss_layer, optimiser, losses = SoftmaxCrossEntropy(), Adam(lr), []
    for _ in range(steps):
        h, caches = lstm_forward(x, np.zeros((N, H)), np.zeros((N, H)), params)
        loss, dh, output_grads = _output_layer(h, targets, params, loss_layer)
        grads = {**lstm_backward(dh, caches), **output_grads}
        optimiser.update(list(params.values()), [grads[f"d{name}"] for name in params])
        losses.append(loss)
    return np.array(losses), params


def accuracy(lstm_forward, params: dict, x, targets) -> float:
    """Share of the targets: (N, T - delay) whose score is the highest, x: (N, T, K)."""
    N, H = x.shape[0], params["b_f"].shape[0]
    h, _ = lstm_forward(x, np.zeros((N, H)), np.zeros((N, H)), params)
    scores = h[:, x.shape[1] - targets.shape[1] :] @ params["W_y"] + params["b_y"]
    return float(np.mean(scores.argmax(axis=-1) == targets))


def lstm_layer_forward(x, h0, c0, params: dict) -> tuple:
    """rnnlab.layers.LSTM on per-gate params (W_k (D, H), U_k (H, H), b_k (H,)).
    x: (N, T, D), h0, c0: (N, H). Returns h: (N, T, H) and the layer, as its 'caches'."""
    stacked = stack_lstm_params(params)
    layer = LSTM(x.shape[2], h0.shape[1], np.random.default_rng(0))
    for array, value in zip(layer.params, (stacked["W"], stacked["U"], stacked["b"]), strict=True):
        array[...] = value
    return layer.forward(x, h0, c0), layer


def lstm_layer_backward(dh, layer) -> dict:
    """The backward pass of lstm_layer_forward's layer. dh: (N, T, H). Returns dx: (N, T, D),
    dh0, dc0: (N, H) and the per-gate gradients dW_k (D, H), dU_k (H, H), db_k (H,)."""
    dx, dh0, dc0 = layer.backward(dh)
    stacked = dict(zip(("dW", "dU", "db"), layer.grads, strict=True))
    return {"dx": dx, "dh0": dh0, "dc0": dc0, **unstack_lstm_params(stacked)}
