"""Catalog of answers for lesson 03: mistakes students make, and correct variants."""

from grader_tests.catalog import Answer

CELL = [
    Answer(
        "lstm2_cell_forward",
        "type 1 cell handed in for type 2",
        """
def lstm2_cell_forward(x_t, h_prev, c_prev, params):
    f = sigmoid(x_t @ params["W_f"] + h_prev @ params["U_f"] + params["b_f"])
    i = sigmoid(x_t @ params["W_i"] + h_prev @ params["U_i"] + params["b_i"])
    o = sigmoid(x_t @ params["W_o"] + h_prev @ params["U_o"] + params["b_o"])
    g = np.tanh(x_t @ params["W_g"] + h_prev @ params["U_g"] + params["b_g"])
    c_next = f * c_prev + i * g
    h_next = o * np.tanh(c_next)
    return h_next, c_next, {"f": f, "i": i, "o": o, "g": g}
""",
        diagnostic="LSTM type 1",
    ),
    Answer(
        "lstm2_cell_forward",
        "type 1 gates and output, candidate without U_g",
        """
def lstm2_cell_forward(x_t, h_prev, c_prev, params):
    f = sigmoid(x_t @ params["W_f"] + h_prev @ params["U_f"] + params["b_f"])
    i = sigmoid(x_t @ params["W_i"] + h_prev @ params["U_i"] + params["b_i"])
    o = sigmoid(x_t @ params["W_o"] + h_prev @ params["U_o"] + params["b_o"])
    g = np.tanh(x_t @ params["W_g"] + params["b_g"])
    c_next = f * c_prev + i * g
    h_next = o * np.tanh(c_next)
    return h_next, c_next, {"f": f, "i": i, "o": o, "g": g}
""",
        diagnostic="you computed LSTM type 1",
    ),
    Answer(
        "lstm2_cell_forward",
        "gates read h_prev",
        """
def lstm2_cell_forward(x_t, h_prev, c_prev, params):
    f = sigmoid(x_t @ params["W_f"] + h_prev @ params["U_f"] + params["b_f"])
    i = sigmoid(x_t @ params["W_i"] + h_prev @ params["U_i"] + params["b_i"])
    o = sigmoid(x_t @ params["W_o"] + h_prev @ params["U_o"] + params["b_o"])
    g = np.tanh(x_t @ params["W_g"] + params["b_g"])
    c_next = f * c_prev + i * g
    h_next = np.tanh(o * c_next)
    return h_next, c_next, {"f": f, "i": i, "o": o, "g": g}
""",
        diagnostic="the gates read h_prev instead of c_prev",
    ),
    Answer(
        "lstm2_cell_forward",
        "type 1 read-out o * tanh(c)",
        """
def lstm2_cell_forward(x_t, h_prev, c_prev, params):
    f = sigmoid(x_t @ params["W_f"] + c_prev @ params["U_f"] + params["b_f"])
    i = sigmoid(x_t @ params["W_i"] + c_prev @ params["U_i"] + params["b_i"])
    o = sigmoid(x_t @ params["W_o"] + c_prev @ params["U_o"] + params["b_o"])
    g = np.tanh(x_t @ params["W_g"] + params["b_g"])
    c_next = f * c_prev + i * g
    h_next = o * np.tanh(c_next)
    return h_next, c_next, {"f": f, "i": i, "o": o, "g": g}
""",
        diagnostic="type 1's output",
    ),
    Answer(
        "lstm2_cell_forward",
        "peephole-style gates reading h_prev and c_prev",
        """
def lstm2_cell_forward(x_t, h_prev, c_prev, params):
    def gate(k):
        return sigmoid(x_t @ params[f"W_{k}"] + (h_prev + c_prev) @ params[f"U_{k}"]
                       + params[f"b_{k}"])

    f, i, o = gate("f"), gate("i"), gate("o")
    g = np.tanh(x_t @ params["W_g"] + params["b_g"])
    c_next = f * c_prev + i * g
    h_next = np.tanh(o * c_next)
    return h_next, c_next, {"f": f, "i": i, "o": o, "g": g}
""",
        diagnostic="peephole style",
    ),
    Answer(
        "lstm2_cell_forward",
        "output gate peeks at the new cell state",
        """
def lstm2_cell_forward(x_t, h_prev, c_prev, params):
    f = sigmoid(x_t @ params["W_f"] + c_prev @ params["U_f"] + params["b_f"])
    i = sigmoid(x_t @ params["W_i"] + c_prev @ params["U_i"] + params["b_i"])
    g = np.tanh(x_t @ params["W_g"] + params["b_g"])
    c_next = f * c_prev + i * g
    o = sigmoid(x_t @ params["W_o"] + c_next @ params["U_o"] + params["b_o"])
    h_next = np.tanh(o * c_next)
    return h_next, c_next, {"f": f, "i": i, "o": o, "g": g}
""",
        diagnostic="the output gate reads c_next",
    ),
    Answer(
        "lstm2_cell_forward",
        "sigmoid and tanh swapped",
        """
def lstm2_cell_forward(x_t, h_prev, c_prev, params):
    f = np.tanh(x_t @ params["W_f"] + c_prev @ params["U_f"] + params["b_f"])
    i = np.tanh(x_t @ params["W_i"] + c_prev @ params["U_i"] + params["b_i"])
    o = np.tanh(x_t @ params["W_o"] + c_prev @ params["U_o"] + params["b_o"])
    g = sigmoid(x_t @ params["W_g"] + params["b_g"])
    c_next = f * c_prev + i * g
    h_next = np.tanh(o * c_next)
    return h_next, c_next, {"f": f, "i": i, "o": o, "g": g}
""",
        diagnostic="sigmoid and tanh are swapped",
    ),
    Answer(
        "lstm2_cell_forward",
        "old cell state dropped",
        """
def lstm2_cell_forward(x_t, h_prev, c_prev, params):
    f = sigmoid(x_t @ params["W_f"] + c_prev @ params["U_f"] + params["b_f"])
    i = sigmoid(x_t @ params["W_i"] + c_prev @ params["U_i"] + params["b_i"])
    o = sigmoid(x_t @ params["W_o"] + c_prev @ params["U_o"] + params["b_o"])
    g = np.tanh(x_t @ params["W_g"] + params["b_g"])
    c_next = i * g
    h_next = np.tanh(o * c_next)
    return h_next, c_next, {"f": f, "i": i, "o": o, "g": g}
""",
        diagnostic="c_prev is not carried",
    ),
    Answer(
        "lstm2_cell_forward",
        "cell state updated in place",
        """
def lstm2_cell_forward(x_t, h_prev, c_prev, params):
    f = sigmoid(x_t @ params["W_f"] + c_prev @ params["U_f"] + params["b_f"])
    i = sigmoid(x_t @ params["W_i"] + c_prev @ params["U_i"] + params["b_i"])
    o = sigmoid(x_t @ params["W_o"] + c_prev @ params["U_o"] + params["b_o"])
    g = np.tanh(x_t @ params["W_g"] + params["b_g"])
    c_next = c_prev
    c_next *= f
    c_next += i * g
    h_next = np.tanh(o * c_next)
    return h_next, c_next, {"f": f, "i": i, "o": o, "g": g}
""",
        diagnostic="changed its input 'c_prev' in place",
    ),
    Answer(
        "lstm2_cell_forward",
        "stacked gate weights",
        """
def lstm2_cell_forward(x_t, h_prev, c_prev, params):
    W = np.hstack([params["W_f"], params["W_i"], params["W_o"]])
    U = np.hstack([params["U_f"], params["U_i"], params["U_o"]])
    b = np.concatenate([params["b_f"], params["b_i"], params["b_o"]])
    f, i, o = np.split(sigmoid(x_t @ W + c_prev @ U + b), 3, axis=1)
    g = np.tanh(x_t @ params["W_g"] + params["b_g"])
    c_next = f * c_prev + i * g
    return np.tanh(o * c_next), c_next, {"f": f, "i": i, "o": o, "g": g}
""",
    ),
    Answer(
        "lstm2_cell_forward",
        "einsum with a gate loop",
        """
def lstm2_cell_forward(x_t, h_prev, c_prev, params):
    gates = {}
    for k in ("f", "i", "o"):
        z = np.einsum("nd,dh->nh", x_t, params["W_" + k]) + np.einsum(
            "nk,kh->nh", c_prev, params["U_" + k]) + params["b_" + k]
        gates[k] = 1.0 / (1.0 + np.exp(-z))
    gates["g"] = np.tanh(np.einsum("nd,dh->nh", x_t, params["W_g"]) + params["b_g"])
    c_next = gates["f"] * c_prev + gates["i"] * gates["g"]
    return np.tanh(gates["o"] * c_next), c_next, gates
""",
    ),
]

LAYER = [
    Answer(
        "lstm2_forward",
        "states reset every step",
        """
def lstm2_forward(x, h0, c0, params):
    steps = {k: [] for k in ("f", "i", "o", "g", "c", "h")}
    for t in range(x.shape[1]):
        h_t, c_t, gates = lstm2_cell_forward(x[:, t], h0, c0, params)
        for k, v in {**gates, "c": c_t, "h": h_t}.items():
            steps[k].append(v)
    return {k: np.stack(v, axis=1) for k, v in steps.items()}
""",
        diagnostic="the state is reset at every step",
    ),
    Answer(
        "lstm2_forward",
        "only h carried",
        """
def lstm2_forward(x, h0, c0, params):
    steps = {k: [] for k in ("f", "i", "o", "g", "c", "h")}
    h_t = h0
    for t in range(x.shape[1]):
        h_t, c_t, gates = lstm2_cell_forward(x[:, t], h_t, c0, params)
        for k, v in {**gates, "c": c_t, "h": h_t}.items():
            steps[k].append(v)
    return {k: np.stack(v, axis=1) for k, v in steps.items()}
""",
        diagnostic="c is not carried",
    ),
    Answer(
        "lstm2_forward",
        "lists returned",
        """
def lstm2_forward(x, h0, c0, params):
    steps = {k: [] for k in ("f", "i", "o", "g", "c", "h")}
    h_t, c_t = h0, c0
    for t in range(x.shape[1]):
        h_t, c_t, gates = lstm2_cell_forward(x[:, t], h_t, c_t, params)
        for k, v in {**gates, "c": c_t, "h": h_t}.items():
            steps[k].append(v)
    return steps
""",
        diagnostic="is a list of",
    ),
    Answer(
        "lstm2_forward",
        "time-major stack",
        """
def lstm2_forward(x, h0, c0, params):
    steps = {k: [] for k in ("f", "i", "o", "g", "c", "h")}
    h_t, c_t = h0, c0
    for t in range(x.shape[1]):
        h_t, c_t, gates = lstm2_cell_forward(x[:, t], h_t, c_t, params)
        for k, v in {**gates, "c": c_t, "h": h_t}.items():
            steps[k].append(v)
    return {k: np.stack(v) for k, v in steps.items()}
""",
        diagnostic="time-major",
    ),
    Answer(
        "lstm2_forward",
        "h and c swapped in the call",
        """
def lstm2_forward(x, h0, c0, params):
    steps = {k: [] for k in ("f", "i", "o", "g", "c", "h")}
    h_t, c_t = h0, c0
    for t in range(x.shape[1]):
        h_t, c_t, gates = lstm2_cell_forward(x[:, t], c_t, h_t, params)
        for k, v in {**gates, "c": c_t, "h": h_t}.items():
            steps[k].append(v)
    return {k: np.stack(v, axis=1) for k, v in steps.items()}
""",
        diagnostic="h and c are swapped",
    ),
    Answer(
        "lstm2_forward",
        "type 1 layer written inline",
        """
def lstm2_forward(x, h0, c0, params):
    N, T, _ = x.shape
    out = {k: np.zeros((N, T, h0.shape[1])) for k in ("f", "i", "o", "g", "c", "h")}
    h_t, c_t = h0, c0
    for t in range(T):
        x_t = x[:, t]
        f = sigmoid(x_t @ params["W_f"] + h_t @ params["U_f"] + params["b_f"])
        i = sigmoid(x_t @ params["W_i"] + h_t @ params["U_i"] + params["b_i"])
        o = sigmoid(x_t @ params["W_o"] + h_t @ params["U_o"] + params["b_o"])
        g = np.tanh(x_t @ params["W_g"] + params["b_g"])
        c_t = f * c_t + i * g
        h_t = o * np.tanh(c_t)
        for k, v in {"f": f, "i": i, "o": o, "g": g, "c": c_t, "h": h_t}.items():
            out[k][:, t] = v
    return out
""",
        diagnostic="you computed LSTM type 1",
    ),
    Answer(
        "lstm2_forward",
        "outputs squeezed",
        """
def lstm2_forward(x, h0, c0, params):
    steps = {k: [] for k in ("f", "i", "o", "g", "c", "h")}
    h_t, c_t = h0, c0
    for t in range(x.shape[1]):
        h_t, c_t, gates = lstm2_cell_forward(x[:, t], h_t, c_t, params)
        for k, v in {**gates, "c": c_t, "h": h_t}.items():
            steps[k].append(v)
    return {k: np.stack(v, axis=1).squeeze() for k, v in steps.items()}
""",
        diagnostic="should have shape",
        hidden_only="only a sequence of one step (T = 1) shows it; public cases have several",
    ),
    Answer(
        "lstm2_forward",
        "preallocated arrays",
        """
def lstm2_forward(x, h0, c0, params):
    N, T, _ = x.shape
    out = {k: np.zeros((N, T, h0.shape[1])) for k in ("f", "i", "o", "g", "c", "h")}
    h_t, c_t = h0, c0
    for t in range(T):
        h_t, c_t, gates = lstm2_cell_forward(x[:, t], h_t, c_t, params)
        gates.update(c=c_t, h=h_t)
        for k, v in gates.items():
            out[k][:, t] = v
    return out
""",
    ),
    Answer(
        "lstm2_forward",
        "inline type 2 with the candidates precomputed",
        """
def lstm2_forward(x, h0, c0, params):
    g_all = np.tanh(x @ params["W_g"] + params["b_g"])
    out = {k: [] for k in ("f", "i", "o", "g", "c", "h")}
    c_t = c0
    for t in range(x.shape[1]):
        f, i, o = (sigmoid(x[:, t] @ params["W_" + k] + c_t @ params["U_" + k]
                           + params["b_" + k]) for k in ("f", "i", "o"))
        c_t = f * c_t + i * g_all[:, t]
        h_t = np.tanh(o * c_t)
        for k, v in zip(("f", "i", "o", "g", "c", "h"), (f, i, o, g_all[:, t], c_t, h_t)):
            out[k].append(v)
    return {k: np.stack(v, axis=1) for k, v in out.items()}
""",
    ),
]

ANSWERS = CELL + LAYER
