"""Catalog of answers for lesson 02: mistakes students make, and correct variants."""

from grader_tests.catalog import Answer

CELL = [
    Answer(
        "lstm1_cell_forward",
        "the course library's stacked step called",
        """
def lstm1_cell_forward(x_t, h_prev, c_prev, params):
    return lstm1_step_stacked(x_t, h_prev, c_prev, stack_lstm_params(params))
""",
        diagnostic="uses the course library's lstm1_step_stacked",
    ),
    Answer(
        "lstm1_cell_forward",
        "type 2 cell handed in for type 1",
        """
def lstm1_cell_forward(x_t, h_prev, c_prev, params):
    f = sigmoid(x_t @ params["W_f"] + c_prev @ params["U_f"] + params["b_f"])
    i = sigmoid(x_t @ params["W_i"] + c_prev @ params["U_i"] + params["b_i"])
    o = sigmoid(x_t @ params["W_o"] + c_prev @ params["U_o"] + params["b_o"])
    g = np.tanh(x_t @ params["W_g"] + params["b_g"])
    c_next = f * c_prev + i * g
    h_next = np.tanh(o * c_next)
    return h_next, c_next, {"f": f, "i": i, "o": o, "g": g}
""",
        diagnostic="you computed LSTM type 2",
    ),
    Answer(
        "lstm1_cell_forward",
        "sigmoid and tanh swapped",
        """
def lstm1_cell_forward(x_t, h_prev, c_prev, params):
    f = np.tanh(x_t @ params["W_f"] + h_prev @ params["U_f"] + params["b_f"])
    i = np.tanh(x_t @ params["W_i"] + h_prev @ params["U_i"] + params["b_i"])
    o = np.tanh(x_t @ params["W_o"] + h_prev @ params["U_o"] + params["b_o"])
    g = sigmoid(x_t @ params["W_g"] + h_prev @ params["U_g"] + params["b_g"])
    c_next = f * c_prev + i * g
    h_next = o * np.tanh(c_next)
    return h_next, c_next, {"f": f, "i": i, "o": o, "g": g}
""",
        diagnostic="sigmoid and tanh are swapped",
    ),
    Answer(
        "lstm1_cell_forward",
        "forget and input gates swapped",
        """
def lstm1_cell_forward(x_t, h_prev, c_prev, params):
    f = sigmoid(x_t @ params["W_f"] + h_prev @ params["U_f"] + params["b_f"])
    i = sigmoid(x_t @ params["W_i"] + h_prev @ params["U_i"] + params["b_i"])
    o = sigmoid(x_t @ params["W_o"] + h_prev @ params["U_o"] + params["b_o"])
    g = np.tanh(x_t @ params["W_g"] + h_prev @ params["U_g"] + params["b_g"])
    c_next = i * c_prev + f * g
    h_next = o * np.tanh(c_next)
    return h_next, c_next, {"f": f, "i": i, "o": o, "g": g}
""",
        diagnostic="the forget and input gates are swapped",
    ),
    Answer(
        "lstm1_cell_forward",
        "recurrent weights transposed",
        """
def lstm1_cell_forward(x_t, h_prev, c_prev, params):
    f = sigmoid(x_t @ params["W_f"] + h_prev @ params["U_f"].T + params["b_f"])
    i = sigmoid(x_t @ params["W_i"] + h_prev @ params["U_i"].T + params["b_i"])
    o = sigmoid(x_t @ params["W_o"] + h_prev @ params["U_o"].T + params["b_o"])
    g = np.tanh(x_t @ params["W_g"] + h_prev @ params["U_g"].T + params["b_g"])
    c_next = f * c_prev + i * g
    h_next = o * np.tanh(c_next)
    return h_next, c_next, {"f": f, "i": i, "o": o, "g": g}
""",
        diagnostic="the recurrent weights are transposed",
    ),
    Answer(
        "lstm1_cell_forward",
        "h_next without tanh",
        """
def lstm1_cell_forward(x_t, h_prev, c_prev, params):
    f = sigmoid(x_t @ params["W_f"] + h_prev @ params["U_f"] + params["b_f"])
    i = sigmoid(x_t @ params["W_i"] + h_prev @ params["U_i"] + params["b_i"])
    o = sigmoid(x_t @ params["W_o"] + h_prev @ params["U_o"] + params["b_o"])
    g = np.tanh(x_t @ params["W_g"] + h_prev @ params["U_g"] + params["b_g"])
    c_next = f * c_prev + i * g
    h_next = o * c_next
    return h_next, c_next, {"f": f, "i": i, "o": o, "g": g}
""",
        diagnostic="the tanh of c_next is missing",
    ),
    Answer(
        "lstm1_cell_forward",
        "old cell state dropped",
        """
def lstm1_cell_forward(x_t, h_prev, c_prev, params):
    f = sigmoid(x_t @ params["W_f"] + h_prev @ params["U_f"] + params["b_f"])
    i = sigmoid(x_t @ params["W_i"] + h_prev @ params["U_i"] + params["b_i"])
    o = sigmoid(x_t @ params["W_o"] + h_prev @ params["U_o"] + params["b_o"])
    g = np.tanh(x_t @ params["W_g"] + h_prev @ params["U_g"] + params["b_g"])
    c_next = i * g
    h_next = o * np.tanh(c_next)
    return h_next, c_next, {"f": f, "i": i, "o": o, "g": g}
""",
        diagnostic="c_prev is not carried",
    ),
    Answer(
        "lstm1_cell_forward",
        "output gate and candidate weights mixed up",
        """
def lstm1_cell_forward(x_t, h_prev, c_prev, params):
    def pre(k):
        return x_t @ params[f"W_{k}"] + h_prev @ params[f"U_{k}"] + params[f"b_{k}"]

    f, i, o = sigmoid(pre("f")), sigmoid(pre("i")), sigmoid(pre("g"))
    g = np.tanh(pre("o"))
    c_next = f * c_prev + i * g
    h_next = o * np.tanh(c_next)
    return h_next, c_next, {"f": f, "i": i, "o": o, "g": g}
""",
        diagnostic="use each other's weights",
    ),
    Answer(
        "lstm1_cell_forward",
        "cell state updated in place",
        """
def lstm1_cell_forward(x_t, h_prev, c_prev, params):
    f = sigmoid(x_t @ params["W_f"] + h_prev @ params["U_f"] + params["b_f"])
    i = sigmoid(x_t @ params["W_i"] + h_prev @ params["U_i"] + params["b_i"])
    o = sigmoid(x_t @ params["W_o"] + h_prev @ params["U_o"] + params["b_o"])
    g = np.tanh(x_t @ params["W_g"] + h_prev @ params["U_g"] + params["b_g"])
    c_prev *= f
    c_prev += i * g
    h_next = o * np.tanh(c_prev)
    return h_next, c_prev, {"f": f, "i": i, "o": o, "g": g}
""",
        diagnostic="changed its input 'c_prev' in place",
    ),
    Answer(
        "lstm1_cell_forward",
        "stacked weights on concatenated inputs",
        """
def lstm1_cell_forward(x_t, h_prev, c_prev, params):
    order = ("f", "i", "o", "g")
    W = np.vstack([np.hstack([params[f"W_{k}"] for k in order]),
                   np.hstack([params[f"U_{k}"] for k in order])])
    b = np.concatenate([params[f"b_{k}"] for k in order])
    z = np.concatenate([x_t, h_prev], axis=1) @ W + b
    f, i, o, g = np.split(z, 4, axis=1)
    f, i, o, g = sigmoid(f), sigmoid(i), sigmoid(o), np.tanh(g)
    c_next = f * c_prev + i * g
    h_next = o * np.tanh(c_next)
    return h_next, c_next, {"f": f, "i": i, "o": o, "g": g}
""",
    ),
    Answer(
        "lstm1_cell_forward",
        "einsum with own sigmoid",
        """
def lstm1_cell_forward(x_t, h_prev, c_prev, params):
    gates = {}
    for k in "fiog":
        z = (np.einsum("nd,dh->nh", x_t, params["W_" + k])
             + np.einsum("nk,kh->nh", h_prev, params["U_" + k]) + params["b_" + k])
        gates[k] = np.tanh(z) if k == "g" else 0.5 * (1 + np.tanh(z / 2))
    c_next = gates["f"] * c_prev + gates["i"] * gates["g"]
    h_next = gates["o"] * np.tanh(c_next)
    return h_next, c_next, gates
""",
    ),
]

LAYER = [
    Answer(
        "lstm1_forward",
        "the course library's LSTM step of lesson 08 called in the loop",
        """
def lstm1_forward(x, h0, c0, params):
    from rnnlab.recurrent import lstm_step

    N, T, _ = x.shape
    out = {name: np.zeros((N, T, h0.shape[1])) for name in ("f", "i", "o", "g", "c", "h")}
    h_t, c_t = h0, c0
    for t in range(T):
        h_t, c_t, (*_, gates, _) = lstm_step(x[:, t], h_t, c_t, params)
        for name, value in {**gates, "c": c_t, "h": h_t}.items():
            out[name][:, t] = value
    return out
""",
        diagnostic="uses the course library's lstm_step",
    ),
    Answer(
        "lstm1_forward",
        "the course library's stacked step imported inside the loop",
        """
def lstm1_forward(x, h0, c0, params):
    from rnnlab import lstm_cells

    stacked = lstm_cells.stack_lstm_params(params)
    N, T, _ = x.shape
    out = {name: np.zeros((N, T, h0.shape[1])) for name in ("f", "i", "o", "g", "c", "h")}
    h_t, c_t = h0, c0
    for t in range(T):
        h_t, c_t, gates = lstm_cells.lstm1_step_stacked(x[:, t], h_t, c_t, stacked)
        for name, value in gates.items():
            out[name][:, t] = value
        out["c"][:, t] = c_t
        out["h"][:, t] = h_t
    return out
""",
        diagnostic="uses the course library's lstm1_step_stacked",
    ),
    Answer(
        "lstm1_forward",
        "states reset every step",
        """
def lstm1_forward(x, h0, c0, params):
    N, T, _ = x.shape
    out = {k: np.zeros((N, T, h0.shape[1])) for k in ("f", "i", "o", "g", "c", "h")}
    for t in range(T):
        h_t, c_t, gates = lstm1_cell_forward(x[:, t], h0, c0, params)
        for k, v in {**gates, "c": c_t, "h": h_t}.items():
            out[k][:, t] = v
    return out
""",
        diagnostic="reset to h0, c0 at every step",
    ),
    Answer(
        "lstm1_forward",
        "cell state not carried",
        """
def lstm1_forward(x, h0, c0, params):
    N, T, _ = x.shape
    out = {k: np.zeros((N, T, h0.shape[1])) for k in ("f", "i", "o", "g", "c", "h")}
    h_t = h0
    for t in range(T):
        h_t, c_t, gates = lstm1_cell_forward(x[:, t], h_t, c0, params)
        for k, v in {**gates, "c": c_t, "h": h_t}.items():
            out[k][:, t] = v
    return out
""",
        diagnostic="c is not carried",
    ),
    Answer(
        "lstm1_forward",
        "lists returned",
        """
def lstm1_forward(x, h0, c0, params):
    out = {k: [] for k in ("f", "i", "o", "g", "c", "h")}
    h_t, c_t = h0, c0
    for t in range(x.shape[1]):
        h_t, c_t, gates = lstm1_cell_forward(x[:, t], h_t, c_t, params)
        for k, v in {**gates, "c": c_t, "h": h_t}.items():
            out[k].append(v)
    return out
""",
        diagnostic="is a list of",
    ),
    Answer(
        "lstm1_forward",
        "time-major arrays",
        """
def lstm1_forward(x, h0, c0, params):
    out = {k: [] for k in ("f", "i", "o", "g", "c", "h")}
    h_t, c_t = h0, c0
    for t in range(x.shape[1]):
        h_t, c_t, gates = lstm1_cell_forward(x[:, t], h_t, c_t, params)
        for k, v in {**gates, "c": c_t, "h": h_t}.items():
            out[k].append(v)
    return {k: np.array(v) for k, v in out.items()}
""",
        diagnostic="time-major",
    ),
    Answer(
        "lstm1_forward",
        "first step skipped",
        """
def lstm1_forward(x, h0, c0, params):
    N, T, _ = x.shape
    out = {k: np.zeros((N, T - 1, h0.shape[1])) for k in ("f", "i", "o", "g", "c", "h")}
    h_t, c_t = h0, c0
    for t in range(1, T):
        h_t, c_t, gates = lstm1_cell_forward(x[:, t], h_t, c_t, params)
        for k, v in {**gates, "c": c_t, "h": h_t}.items():
            out[k][:, t - 1] = v
    return out
""",
        diagnostic="a step is missing",
    ),
    Answer(
        "lstm1_forward",
        "states stored before the step",
        """
def lstm1_forward(x, h0, c0, params):
    N, T, _ = x.shape
    out = {k: np.zeros((N, T, h0.shape[1])) for k in ("f", "i", "o", "g", "c", "h")}
    h_t, c_t = h0, c0
    for t in range(T):
        out["h"][:, t], out["c"][:, t] = h_t, c_t
        h_t, c_t, gates = lstm1_cell_forward(x[:, t], h_t, c_t, params)
        for k, v in gates.items():
            out[k][:, t] = v
    return out
""",
        diagnostic="holds the states before step t",
    ),
    Answer(
        "lstm1_forward",
        "h and c swapped in the call",
        """
def lstm1_forward(x, h0, c0, params):
    N, T, _ = x.shape
    out = {k: np.zeros((N, T, h0.shape[1])) for k in ("f", "i", "o", "g", "c", "h")}
    h_t, c_t = h0, c0
    for t in range(T):
        h_t, c_t, gates = lstm1_cell_forward(x[:, t], c_t, h_t, params)
        for k, v in {**gates, "c": c_t, "h": h_t}.items():
            out[k][:, t] = v
    return out
""",
        diagnostic="h and c are swapped",
    ),
    Answer(
        "lstm1_forward",
        "outputs squeezed",
        """
def lstm1_forward(x, h0, c0, params):
    N, T, _ = x.shape
    out = {k: np.zeros((N, T, h0.shape[1])) for k in ("f", "i", "o", "g", "c", "h")}
    h_t, c_t = h0, c0
    for t in range(T):
        h_t, c_t, gates = lstm1_cell_forward(x[:, t], h_t, c_t, params)
        for k, v in {**gates, "c": c_t, "h": h_t}.items():
            out[k][:, t] = v
    return {k: np.squeeze(v) for k, v in out.items()}
""",
        diagnostic="should have shape",
        hidden_only="only a sequence of one step (T = 1) shows it; public cases have several",
    ),
    Answer(
        "lstm1_forward",
        "lists stacked on axis 1",
        """
def lstm1_forward(x, h0, c0, params):
    steps = []
    h_t, c_t = h0, c0
    for x_t in np.moveaxis(x, 1, 0):
        h_t, c_t, gates = lstm1_cell_forward(x_t, h_t, c_t, params)
        steps.append({**gates, "c": c_t, "h": h_t})
    return {k: np.stack([s[k] for s in steps], axis=1) for k in ("f", "i", "o", "g", "c", "h")}
""",
    ),
    Answer(
        "lstm1_forward",
        "time-major buffers transposed at the end",
        """
def lstm1_forward(x, h0, c0, params):
    T = x.shape[1]
    buffers = {k: np.empty((T, *h0.shape)) for k in "fiogch"}
    h_t, c_t = h0.copy(), c0.copy()
    for t in range(T):
        h_t, c_t, gates = lstm1_cell_forward(x[:, t], h_t, c_t, params)
        gates.update(c=c_t, h=h_t)
        for k in buffers:
            buffers[k][t] = gates[k]
    return {k: b.transpose(1, 0, 2) for k, b in buffers.items()}
""",
    ),
]

OUTPUT = [
    Answer(
        "lstm_output_forward",
        "logits without softmax",
        """
def lstm_output_forward(h, params):
    return h @ params["W_y"] + params["b_y"]
""",
        diagnostic="not passed through softmax",
    ),
    Answer(
        "lstm_output_forward",
        "softmax over the time axis",
        """
def lstm_output_forward(h, params):
    return softmax(h @ params["W_y"] + params["b_y"], axis=1)
""",
        diagnostic="over the time axis",
    ),
    Answer(
        "lstm_output_forward",
        "column-vector softmax from the source (axis 0)",
        """
def lstm_output_forward(h, params):
    z = h @ params["W_y"] + params["b_y"]
    e = np.exp(z - np.max(z))
    return e / np.sum(e, axis=0)
""",
        diagnostic="over the batch axis",
    ),
    Answer(
        "lstm_output_forward",
        "bias b_y forgotten",
        """
def lstm_output_forward(h, params):
    return softmax(h @ params["W_y"])
""",
        diagnostic="the bias b_y is missing",
    ),
    Answer(
        "lstm_output_forward",
        "only the last step",
        """
def lstm_output_forward(h, params):
    return softmax(h[:, -1] @ params["W_y"] + params["b_y"])
""",
        diagnostic="only one time step",
    ),
    Answer(
        "lstm_output_forward",
        "naive softmax",
        """
def lstm_output_forward(h, params):
    e = np.exp(h @ params["W_y"] + params["b_y"])
    return e / e.sum(axis=-1, keepdims=True)
""",
        diagnostic="the max is not subtracted",
    ),
    Answer(
        "lstm_output_forward",
        "list of steps",
        """
def lstm_output_forward(h, params):
    return [softmax(h[:, t] @ params["W_y"] + params["b_y"]) for t in range(h.shape[1])]
""",
        diagnostic="y is a list of",
    ),
    Answer(
        "lstm_output_forward",
        "einsum",
        """
def lstm_output_forward(h, params):
    return softmax(np.einsum("nth,hv->ntv", h, params["W_y"]) + params["b_y"])
""",
    ),
    Answer(
        "lstm_output_forward",
        "loop over time with reshape-free slices",
        """
def lstm_output_forward(h, params):
    N, T, _ = h.shape
    y = np.empty((N, T, params["b_y"].shape[0]))
    for t in range(T):
        scores = h[:, t] @ params["W_y"] + params["b_y"]
        scores = scores - scores.max(axis=1, keepdims=True)
        y[:, t] = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    return y
""",
    ),
    Answer(
        "lstm_output_forward",
        "flattened to (N*T, H)",
        """
def lstm_output_forward(h, params):
    N, T, H = h.shape
    flat = h.reshape(N * T, H) @ params["W_y"] + params["b_y"]
    return softmax(flat).reshape(N, T, -1)
""",
    ),
]

ANSWERS = CELL + LAYER + OUTPUT
