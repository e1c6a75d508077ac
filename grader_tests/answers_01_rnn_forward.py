"""Catalog of answers for lesson 01: mistakes students make, and correct variants."""

from grader_tests.catalog import Answer

SOFTMAX = [
    Answer(
        "softmax",
        "the course library's softmax imported over the exercise",
        """
from rnnlab import softmax
""",
        diagnostic="uses the course library's softmax",
    ),
    Answer(
        "softmax",
        "naive softmax without the max shift",
        """
def softmax(z):
    exp = np.exp(z)
    return exp / np.sum(exp, axis=-1, keepdims=True)
""",
        diagnostic="the max is not subtracted",
    ),
    Answer(
        "softmax",
        "normalised over axis 0",
        """
def softmax(z):
    exp = np.exp(z - np.max(z, axis=0, keepdims=True))
    return exp / np.sum(exp, axis=0, keepdims=True)
""",
        diagnostic="softmax taken over axis 0",
    ),
    Answer(
        "softmax",
        "keepdims forgotten",
        """
def softmax(z):
    exp = np.exp(z - np.max(z, axis=-1))
    return exp / np.sum(exp, axis=-1)
""",
        diagnostic="could not be broadcast",
    ),
    Answer(
        "softmax",
        "shift done in place on the input",
        """
def softmax(z):
    z -= np.max(z, axis=-1, keepdims=True)
    exp = np.exp(z)
    return exp / np.sum(exp, axis=-1, keepdims=True)
""",
        diagnostic="changed its input 'z' in place",
    ),
    Answer(
        "softmax",
        "divided by the sum of the whole array",
        """
def softmax(z):
    exp = np.exp(z - np.max(z))
    return exp / np.sum(exp)
""",
        diagnostic="sum over the whole array",
    ),
    Answer(
        "softmax",
        "exp without the division",
        """
def softmax(z):
    return np.exp(z - np.max(z, axis=-1, keepdims=True))
""",
        diagnostic="is not divided by its sum",
    ),
    Answer(
        "softmax",
        "log-sum-exp form",
        """
def softmax(z):
    shifted = z - z.max(axis=-1, keepdims=True)
    return np.exp(shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True)))
""",
    ),
    Answer(
        "softmax",
        "loop over rows",
        """
def softmax(z):
    rows = np.asarray(z, dtype=float).reshape(-1, np.shape(z)[-1])
    out = np.empty_like(rows)
    for i, row in enumerate(rows):
        exp = np.exp(row - row.max())
        out[i] = exp / exp.sum()
    return out.reshape(np.shape(z))
""",
    ),
]

RNN_CELL = [
    Answer(
        "rnn_cell_forward",
        "the course library's RNN step of lesson 07 called",
        """
def rnn_cell_forward(x_t, h_prev, params):
    from rnnlab.recurrent import rnn_step

    h_next, cache = rnn_step(x_t, h_prev, params)
    return h_next, softmax(h_next @ params["W_y"] + params["b_y"]), cache
""",
        diagnostic="uses the course library's rnn_step",
    ),
    Answer(
        "rnn_cell_forward",
        "sigmoid instead of tanh",
        """
def rnn_cell_forward(x_t, h_prev, params):
    from rnnlab import sigmoid

    h_next = sigmoid(x_t @ params["W_x"] + h_prev @ params["W_h"] + params["b"])
    y_t = softmax(h_next @ params["W_y"] + params["b_y"])
    return h_next, y_t, (x_t, h_prev, h_next, params)
""",
        diagnostic="sigmoid used instead of tanh",
    ),
    Answer(
        "rnn_cell_forward",
        "bias forgotten",
        """
def rnn_cell_forward(x_t, h_prev, params):
    h_next = np.tanh(x_t @ params["W_x"] + h_prev @ params["W_h"])
    y_t = softmax(h_next @ params["W_y"] + params["b_y"])
    return h_next, y_t, (x_t, h_prev, h_next, params)
""",
        diagnostic="the bias b is missing",
    ),
    Answer(
        "rnn_cell_forward",
        "recurrent weights transposed",
        """
def rnn_cell_forward(x_t, h_prev, params):
    h_next = np.tanh(x_t @ params["W_x"] + h_prev @ params["W_h"].T + params["b"])
    y_t = softmax(h_next @ params["W_y"] + params["b_y"])
    return h_next, y_t, (x_t, h_prev, h_next, params)
""",
        diagnostic="W_h is transposed",
    ),
    Answer(
        "rnn_cell_forward",
        "input weights transposed",
        """
def rnn_cell_forward(x_t, h_prev, params):
    h_next = np.tanh(x_t @ params["W_x"].T + h_prev @ params["W_h"] + params["b"])
    y_t = softmax(h_next @ params["W_y"] + params["b_y"])
    return h_next, y_t, (x_t, h_prev, h_next, params)
""",
        diagnostic="shape error",
    ),
    Answer(
        "rnn_cell_forward",
        "logits returned without softmax",
        """
def rnn_cell_forward(x_t, h_prev, params):
    h_next = np.tanh(x_t @ params["W_x"] + h_prev @ params["W_h"] + params["b"])
    y_t = h_next @ params["W_y"] + params["b_y"]
    return h_next, y_t, (x_t, h_prev, h_next, params)
""",
        diagnostic="not passed through softmax",
    ),
    Answer(
        "rnn_cell_forward",
        "prediction from the previous state",
        """
def rnn_cell_forward(x_t, h_prev, params):
    h_next = np.tanh(x_t @ params["W_x"] + h_prev @ params["W_h"] + params["b"])
    y_t = softmax(h_prev @ params["W_y"] + params["b_y"])
    return h_next, y_t, (x_t, h_prev, h_next, params)
""",
        diagnostic="computed from h_prev instead of h_next",
    ),
    Answer(
        "rnn_cell_forward",
        "stacked weights on concatenated inputs",
        """
def rnn_cell_forward(x_t, h_prev, params):
    stacked = np.vstack([params["W_x"], params["W_h"]])
    h_next = np.tanh(np.concatenate([x_t, h_prev], axis=1) @ stacked + params["b"])
    y_t = softmax(np.dot(h_next, params["W_y"]) + params["b_y"])
    return h_next, y_t, (x_t, h_prev, h_next, params)
""",
    ),
    Answer(
        "rnn_cell_forward",
        "einsum",
        """
def rnn_cell_forward(x_t, h_prev, params):
    a = np.einsum("nd,dh->nh", x_t, params["W_x"]) + np.einsum("nk,kh->nh", h_prev, params["W_h"])
    h_next = np.tanh(a + params["b"])
    y_t = softmax(np.einsum("nh,hv->nv", h_next, params["W_y"]) + params["b_y"])
    return h_next, y_t, (x_t, h_prev, h_next, params)
""",
    ),
]

RNN_FORWARD = [
    Answer(
        "rnn_forward",
        "the course library's RNN sequence of lesson 07 called",
        """
def rnn_forward(x, h0, params):
    from rnnlab import recurrent

    h, caches = recurrent.rnn_sequence(x, h0, params)
    return h, softmax(h @ params["W_y"] + params["b_y"]), caches
""",
        diagnostic="uses the course library's rnn_sequence",
    ),
    Answer(
        "rnn_forward",
        "hidden state not carried",
        """
def rnn_forward(x, h0, params):
    N, T, _ = x.shape
    h = np.zeros((N, T, h0.shape[1]))
    y = np.zeros((N, T, params["W_y"].shape[1]))
    caches = []
    for t in range(T):
        h[:, t], y[:, t], cache = rnn_cell_forward(x[:, t], h0, params)
        caches.append(cache)
    return h, y, caches
""",
        diagnostic="h_prev is not carried",
    ),
    Answer(
        "rnn_forward",
        "state stored before the step",
        """
def rnn_forward(x, h0, params):
    N, T, _ = x.shape
    h = np.zeros((N, T, h0.shape[1]))
    y = np.zeros((N, T, params["W_y"].shape[1]))
    caches = []
    h_t = h0
    for t in range(T):
        h[:, t] = h_t
        h_t, y[:, t], cache = rnn_cell_forward(x[:, t], h_t, params)
        caches.append(cache)
    return h, y, caches
""",
        diagnostic="stores the state before step t",
    ),
    Answer(
        "rnn_forward",
        "loop stops one step early",
        """
def rnn_forward(x, h0, params):
    N, T, _ = x.shape
    h = np.zeros((N, T, h0.shape[1]))
    y = np.zeros((N, T, params["W_y"].shape[1]))
    caches = []
    h_t = h0
    for t in range(T - 1):
        h_t, y[:, t], cache = rnn_cell_forward(x[:, t], h_t, params)
        h[:, t] = h_t
        caches.append(cache)
    return h, y, caches
""",
        diagnostic="one step early",
    ),
    Answer(
        "rnn_forward",
        "time-major output",
        """
def rnn_forward(x, h0, params):
    N, T, _ = x.shape
    h = np.zeros((T, N, h0.shape[1]))
    y = np.zeros((T, N, params["W_y"].shape[1]))
    caches = []
    h_t = h0
    for t in range(T):
        h_t, y[t], cache = rnn_cell_forward(x[:, t], h_t, params)
        h[t] = h_t
        caches.append(cache)
    return h, y, caches
""",
        diagnostic="the course uses (N, T, H)",
    ),
    Answer(
        "rnn_forward",
        "only the last state returned",
        """
def rnn_forward(x, h0, params):
    h_t, caches, ys = h0, [], []
    for t in range(x.shape[1]):
        h_t, y_t, cache = rnn_cell_forward(x[:, t], h_t, params)
        ys.append(y_t)
        caches.append(cache)
    return h_t, np.stack(ys, axis=1), caches
""",
        diagnostic="h should have shape",
    ),
    Answer(
        "rnn_forward",
        "caches not collected",
        """
def rnn_forward(x, h0, params):
    N, T, _ = x.shape
    h = np.zeros((N, T, h0.shape[1]))
    y = np.zeros((N, T, params["W_y"].shape[1]))
    h_t = h0
    for t in range(T):
        h_t, y[:, t], _ = rnn_cell_forward(x[:, t], h_t, params)
        h[:, t] = h_t
    return h, y, []
""",
        diagnostic="caches should hold one cache per time step",
    ),
    Answer(
        "rnn_forward",
        "lists stacked at the end",
        """
def rnn_forward(x, h0, params):
    hs, ys, caches = [], [], []
    h_t = h0
    for x_t in x.transpose(1, 0, 2):
        h_t, y_t, cache = rnn_cell_forward(x_t, h_t, params)
        hs.append(h_t)
        ys.append(y_t)
        caches.append(cache)
    return np.stack(hs, axis=1), np.stack(ys, axis=1), caches
""",
    ),
    Answer(
        "rnn_forward",
        "time-major buffers transposed at the end",
        """
def rnn_forward(x, h0, params):
    T = x.shape[1]
    h = np.empty((T, *h0.shape))
    y = np.empty((T, x.shape[0], params["b_y"].size))
    caches = []
    for t in range(T):
        h[t], y[t], cache = rnn_cell_forward(x[:, t], h0 if t == 0 else h[t - 1], params)
        caches.append(cache)
    return h.transpose(1, 0, 2), y.transpose(1, 0, 2), caches
""",
    ),
]

ISSUE_16 = [
    Answer(
        "softmax",
        "shift by the max of the whole array",
        """
def softmax(z):
    exp = np.exp(z - z.max())
    return exp / exp.sum(axis=-1, keepdims=True)
""",
        diagnostic="the max of the whole array is subtracted, not each row's",
    ),
    Answer(
        "softmax",
        "shift by each row's minimum",
        """
def softmax(z):
    low = np.min(z, axis=-1, keepdims=True)
    exp = np.exp(z - low)
    return exp / np.sum(exp, axis=-1, keepdims=True)
""",
        diagnostic="each row's minimum is subtracted, not its max",
    ),
    Answer(
        "softmax",
        "shift by each row's mean",
        """
def softmax(z):
    centred = z - z.mean(axis=-1, keepdims=True)
    return np.exp(centred) / np.exp(centred).sum(axis=-1, keepdims=True)
""",
        diagnostic="each row's mean is subtracted, not its max",
    ),
    Answer(
        "rnn_forward",
        "softmax without the shift, inline in the loop",
        """
def rnn_forward(x, h0, params):
    N, T, _ = x.shape
    h = np.zeros((N, T, h0.shape[1]))
    y = np.zeros((N, T, params["W_y"].shape[1]))
    caches, h_t = [], h0
    for t in range(T):
        h_t = np.tanh(x[:, t] @ params["W_x"] + h_t @ params["W_h"] + params["b"])
        scores = np.exp(h_t @ params["W_y"] + params["b_y"])
        y[:, t] = scores / scores.sum(axis=1, keepdims=True)
        h[:, t] = h_t
        caches.append((x[:, t], h[:, t - 1] if t else h0, h_t, params))
    return h, y, caches
""",
        diagnostic="the max is not subtracted before np.exp in the softmax",
    ),
    Answer(
        "rnn_forward",
        "softmax without the shift, after the loop",
        """
def rnn_forward(x, h0, params):
    hs, caches, h_t = [], [], h0
    for t in range(x.shape[1]):
        h_t, _, cache = rnn_cell_forward(x[:, t], h_t, params)
        hs.append(h_t)
        caches.append(cache)
    h = np.stack(hs, axis=1)
    e = np.exp(h @ params["W_y"] + params["b_y"])
    return h, e / e.sum(axis=-1, keepdims=True), caches
""",
        diagnostic="the max is not subtracted before np.exp in the softmax",
    ),
    Answer(
        "rnn_forward",
        "results and caches as lists",
        """
def rnn_forward(x, h0, params):
    hs, ys, caches, h_t = [], [], [], h0
    for t in range(x.shape[1]):
        h_t, y_t, cache = rnn_cell_forward(x[:, t], h_t, params)
        hs.append(h_t)
        ys.append(y_t)
        caches.append(list(cache))
    return [np.stack(hs, axis=1), np.stack(ys, axis=1), caches]
""",
    ),
]

ANSWERS = SOFTMAX + RNN_CELL + RNN_FORWARD + ISSUE_16
