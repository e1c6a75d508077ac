"""Catalog of answers for lesson 08: mistakes students make, and correct variants.

Most wrong answers of the two backward exercises differ from a correct one in a single
expression, so they are written as one template each with that expression replaced.
"""

from grader_tests.catalog import Answer

FORWARD = [
    Answer(
        "lstm_forward",
        "cell state not carried",
        """
def lstm_forward(x, h0, c0, params):
    h_t, states, caches = h0, [], []
    for t in range(x.shape[1]):
        h_t, c_t, cache = lstm_step(x[:, t], h_t, c0, params)
        states.append(h_t)
        caches.append(cache)
    return np.stack(states, axis=1), caches
""",
        diagnostic="c is not carried",
    ),
    Answer(
        "lstm_forward",
        "hidden state not carried",
        """
def lstm_forward(x, h0, c0, params):
    c_t, states, caches = c0, [], []
    for t in range(x.shape[1]):
        h_t, c_t, cache = lstm_step(x[:, t], h0, c_t, params)
        states.append(h_t)
        caches.append(cache)
    return np.stack(states, axis=1), caches
""",
        diagnostic="h is not carried",
    ),
    Answer(
        "lstm_forward",
        "h and c swapped in the call",
        """
def lstm_forward(x, h0, c0, params):
    h_t, c_t, states, caches = h0, c0, [], []
    for t in range(x.shape[1]):
        h_t, c_t, cache = lstm_step(x[:, t], c_t, h_t, params)
        states.append(h_t)
        caches.append(cache)
    return np.stack(states, axis=1), caches
""",
        diagnostic="h and c are swapped",
    ),
    Answer(
        "lstm_forward",
        "states stored before the step",
        """
def lstm_forward(x, h0, c0, params):
    h_t, c_t, states, caches = h0, c0, [], []
    for t in range(x.shape[1]):
        states.append(h_t)
        h_t, c_t, cache = lstm_step(x[:, t], h_t, c_t, params)
        caches.append(cache)
    return np.stack(states, axis=1), caches
""",
        diagnostic="holds the state before step t",
    ),
    Answer(
        "lstm_forward",
        "only the last cache kept",
        """
def lstm_forward(x, h0, c0, params):
    N, T, _ = x.shape
    h = np.zeros((N, T, h0.shape[1]))
    h_t, c_t = h0, c0
    for t in range(T):
        h_t, c_t, cache = lstm_step(x[:, t], h_t, c_t, params)
        h[:, t] = h_t
    return h, [cache]
""",
        diagnostic="caches should be the list of the",
    ),
    Answer(
        "lstm_forward",
        "time-major h",
        """
def lstm_forward(x, h0, c0, params):
    h_t, c_t, states, caches = h0, c0, [], []
    for t in range(x.shape[1]):
        h_t, c_t, cache = lstm_step(x[:, t], h_t, c_t, params)
        states.append(h_t)
        caches.append(cache)
    return np.array(states), caches
""",
        diagnostic="h is time-major",
    ),
    Answer(
        "lstm_forward",
        "list of states returned",
        """
def lstm_forward(x, h0, c0, params):
    h_t, c_t, states, caches = h0, c0, [], []
    for t in range(x.shape[1]):
        h_t, c_t, cache = lstm_step(x[:, t], h_t, c_t, params)
        states.append(h_t)
        caches.append(cache)
    return states, caches
""",
        diagnostic="h is a list of",
    ),
    Answer(
        "lstm_forward",
        "the course library's LSTM layer",
        """
def lstm_forward(x, h0, c0, params):
    from rnnlab.echo import lstm_layer_forward

    h, _ = lstm_layer_forward(x, h0, c0, params)
    caches, h_t, c_t = [], h0, c0
    for t in range(x.shape[1]):
        h_t, c_t, cache = lstm_step(x[:, t], h_t, c_t, params)
        caches.append(cache)
    return h, caches
""",
        diagnostic="uses the course library's lstm_layer_forward",
    ),
    Answer(
        "lstm_forward",
        "preallocated array",
        """
def lstm_forward(x, h0, c0, params):
    N, T, _ = x.shape
    h = np.zeros((N, T, h0.shape[1]))
    caches = []
    h_t, c_t = h0, c0
    for t in range(T):
        h_t, c_t, cache = lstm_step(x[:, t], h_t, c_t, params)
        h[:, t] = h_t
        caches.append(cache)
    return h, caches
""",
    ),
    Answer(
        "lstm_forward",
        "time-major buffer transposed at the end",
        """
def lstm_forward(x, h0, c0, params):
    steps = np.moveaxis(x, 1, 0)
    h = np.empty((len(steps), *h0.shape))
    caches = [None] * len(steps)
    state = (h0, c0)
    for t, x_t in enumerate(steps):
        *state, caches[t] = lstm_step(x_t, *state, params)
        h[t] = state[0]
    return h.transpose(1, 0, 2), caches
""",
    ),
]

CELL_TEMPLATE = """
def lstm_cell_backward(dh_next, dc_next, cache):
    x_t, h_prev, c_prev, c_next, gates, params = cache
    f, i, o, g = gates["f"], gates["i"], gates["o"], gates["g"]
    tanh_c = np.tanh(c_next)
    dc = {dc}
    dz = {{
        "f": {dz_f},
        "i": {dz_i},
        "o": {dz_o},
        "g": {dz_g},
    }}
    grads = {{"dx_t": 0.0, "dh_prev": 0.0, "dc_prev": {dc_prev}}}
    for k, dz_k in dz.items():
        grads["dx_t"] = grads["dx_t"] + dz_k @ params["W_" + k].T
        grads["dh_prev"] = grads["dh_prev"] + dz_k @ params["U_" + k].T
        grads["dW_" + k] = x_t.T @ dz_k
        grads["dU_" + k] = h_prev.T @ dz_k
        grads["db_" + k] = dz_k.sum(axis=0)
    return grads
"""
CELL_PARTS = {
    "dc": "dc_next + dh_next * o * (1 - tanh_c**2)",
    "dz_f": "dc * c_prev * f * (1 - f)",
    "dz_i": "dc * g * i * (1 - i)",
    "dz_o": "dh_next * tanh_c * o * (1 - o)",
    "dz_g": "dc * i * (1 - g**2)",
    "dc_prev": "dc * f",
}


def _cell(**changes) -> str:
    """The template's correct step with some expressions replaced."""
    return CELL_TEMPLATE.format(**{**CELL_PARTS, **changes})


CELL = [
    Answer(
        "lstm_cell_backward",
        "dc_next ignored",
        _cell(dc="dh_next * o * (1 - tanh_c**2)"),
        diagnostic="dc_next is not added",
    ),
    Answer(
        "lstm_cell_backward",
        "tanh' of the cell state taken at c_next",
        _cell(dc="dc_next + dh_next * o * (1 - c_next**2)"),
        diagnostic="tanh' of the cell state taken at c_next",
    ),
    Answer(
        "lstm_cell_backward",
        "candidate derivative through tanh again",
        _cell(dz_g="dc * i * (1 - np.tanh(g) ** 2)"),
        diagnostic="the candidate's derivative is 1 - g**2",
    ),
    Answer(
        "lstm_cell_backward",
        "forget-gate gradient from c_next",
        _cell(dz_f="dc * c_next * f * (1 - f)"),
        diagnostic="the forget gate's gradient uses c_next",
    ),
    Answer(
        "lstm_cell_backward",
        "sigmoid derivative forgotten",
        _cell(dz_f="dc * c_prev", dz_i="dc * g", dz_o="dh_next * tanh_c"),
        diagnostic="the sigmoid derivative of the gates",
    ),
    Answer(
        "lstm_cell_backward",
        "dc_prev without the forget gate",
        _cell(dc_prev="dc"),
        diagnostic="dc_prev is not multiplied by the forget gate",
    ),
    Answer(
        "lstm_cell_backward",
        "output gate without tanh(c_next)",
        _cell(dz_o="dh_next * o * (1 - o)"),
        diagnostic="do lacks tanh(c_next)",
    ),
    Answer(
        "lstm_cell_backward",
        "stacked gates in PyTorch's order against the course's stacked weights",
        """
def lstm_cell_backward(dh_next, dc_next, cache):
    from rnnlab.lstm_cells import stack_lstm_params, unstack_lstm_params

    x_t, h_prev, c_prev, c_next, gates, params = cache
    f, i, o, g = gates["f"], gates["i"], gates["o"], gates["g"]
    tanh_c = np.tanh(c_next)
    dc = dc_next + dh_next * o * (1 - tanh_c**2)
    dz = np.concatenate(
        [
            dc * g * i * (1 - i),
            dc * c_prev * f * (1 - f),
            dc * i * (1 - g**2),
            dh_next * tanh_c * o * (1 - o),
        ],
        axis=1,
    )
    stacked = stack_lstm_params(params)
    grads = unstack_lstm_params({"dW": x_t.T @ dz, "dU": h_prev.T @ dz, "db": dz.sum(axis=0)})
    grads.update(dx_t=dz @ stacked["W"].T, dh_prev=dz @ stacked["U"].T, dc_prev=dc * f)
    return grads
""",
        diagnostic="dW_f holds the gradient of gate i: the gates are mixed up",
    ),
    Answer(
        "lstm_cell_backward",
        "input-gate weights given the forget gate's gradient (copy-paste slip)",
        """
def lstm_cell_backward(dh_next, dc_next, cache):
    x_t, h_prev, c_prev, c_next, gates, params = cache
    f, i, o, g = gates["f"], gates["i"], gates["o"], gates["g"]
    tanh_c = np.tanh(c_next)
    dc = dc_next + dh_next * o * (1 - tanh_c**2)
    dz_f = dc * c_prev * f * (1 - f)
    dz_i = dc * g * i * (1 - i)
    dz_o = dh_next * tanh_c * o * (1 - o)
    dz_g = dc * i * (1 - g**2)
    return {
        "dx_t": dz_f @ params["W_f"].T + dz_i @ params["W_i"].T
        + dz_o @ params["W_o"].T + dz_g @ params["W_g"].T,
        "dh_prev": dz_f @ params["U_f"].T + dz_i @ params["U_i"].T
        + dz_o @ params["U_o"].T + dz_g @ params["U_g"].T,
        "dc_prev": dc * f,
        "dW_f": x_t.T @ dz_f, "dU_f": h_prev.T @ dz_f, "db_f": dz_f.sum(axis=0),
        "dW_i": x_t.T @ dz_f, "dU_i": h_prev.T @ dz_i, "db_i": dz_i.sum(axis=0),
        "dW_o": x_t.T @ dz_o, "dU_o": h_prev.T @ dz_o, "db_o": dz_o.sum(axis=0),
        "dW_g": x_t.T @ dz_g, "dU_g": h_prev.T @ dz_g, "db_g": dz_g.sum(axis=0),
    }
""",
        diagnostic="dW_i holds the gradient of gate f",
    ),
    Answer(
        "lstm_cell_backward",
        "cell-state gradient accumulated into dc_next in place",
        """
def lstm_cell_backward(dh_next, dc_next, cache):
    x_t, h_prev, c_prev, c_next, gates, params = cache
    f, i, o, g = gates["f"], gates["i"], gates["o"], gates["g"]
    tanh_c = np.tanh(c_next)
    dc_next += dh_next * o * (1 - tanh_c**2)
    dz = {
        "f": dc_next * c_prev * f * (1 - f),
        "i": dc_next * g * i * (1 - i),
        "o": dh_next * tanh_c * o * (1 - o),
        "g": dc_next * i * (1 - g**2),
    }
    grads = {"dc_prev": dc_next * f}
    grads["dx_t"] = sum(dz[k] @ params["W_" + k].T for k in dz)
    grads["dh_prev"] = sum(dz[k] @ params["U_" + k].T for k in dz)
    for k in dz:
        grads["dW_" + k] = x_t.T @ dz[k]
        grads["dU_" + k] = h_prev.T @ dz[k]
        grads["db_" + k] = dz[k].sum(axis=0)
    return grads
""",
        diagnostic="changed its input 'dc_next' in place",
    ),
    Answer(
        "lstm_cell_backward",
        "the course library's LSTM layer run for one step",
        """
def lstm_cell_backward(dh_next, dc_next, cache):
    from rnnlab.layers import LSTM
    from rnnlab.lstm_cells import stack_lstm_params, unstack_lstm_params

    x_t, h_prev, c_prev, _, _, params = cache
    layer = LSTM(x_t.shape[1], h_prev.shape[1], np.random.default_rng(0))
    stacked = stack_lstm_params(params)
    for array, name in zip(layer.params, ("W", "U", "b")):
        array[...] = stacked[name]
    layer.forward(x_t[:, np.newaxis], h_prev, c_prev)
    dx, dh_prev, dc_prev = layer.backward(dh_next[:, np.newaxis], None, dc_next)
    grads = unstack_lstm_params(dict(zip(("dW", "dU", "db"), layer.grads)))
    return {"dx_t": dx[:, 0], "dh_prev": dh_prev, "dc_prev": dc_prev, **grads}
""",
        diagnostic="uses the course library's LSTM",
    ),
    Answer(
        "lstm_cell_backward",
        "stacked gates in the course's order",
        """
def lstm_cell_backward(dh_next, dc_next, cache):
    from rnnlab.lstm_cells import stack_lstm_params, unstack_lstm_params

    x_t, h_prev, c_prev, c_next, gates, params = cache
    f, i, o, g = (gates[k] for k in GATE_ORDER)
    tanh_c = np.tanh(c_next)
    dc = dc_next + dh_next * o * (1 - tanh_c**2)
    d_act = np.concatenate([dc * c_prev, dc * g, dh_next * tanh_c, dc * i], axis=1)
    act = np.concatenate([f, i, o, g], axis=1)
    H = f.shape[1]
    local = np.concatenate([act[:, : 3 * H] * (1 - act[:, : 3 * H]), 1 - g**2], axis=1)
    dz = d_act * local
    stacked = stack_lstm_params(params)
    grads = unstack_lstm_params({"dW": x_t.T @ dz, "dU": h_prev.T @ dz, "db": dz.sum(axis=0)})
    grads.update(dx_t=dz @ stacked["W"].T, dh_prev=dz @ stacked["U"].T, dc_prev=dc * f)
    return grads
""",
    ),
    Answer(
        "lstm_cell_backward",
        "einsum over a loop of gates",
        """
def lstm_cell_backward(dh_next, dc_next, cache):
    x_t, h_prev, c_prev, c_next, gates, params = cache
    tanh_c = np.tanh(c_next)
    dc = dc_next + dh_next * gates["o"] * (1 - tanh_c * tanh_c)
    upstream = {"f": dc * c_prev, "i": dc * gates["g"], "o": dh_next * tanh_c, "g": dc * gates["i"]}
    grads = {"dx_t": np.zeros_like(x_t), "dh_prev": np.zeros_like(h_prev)}
    grads["dc_prev"] = dc * gates["f"]
    for k in "fiog":
        a = gates[k]
        dz = upstream[k] * ((1 - a * a) if k == "g" else a * (1 - a))
        grads["dx_t"] += np.einsum("nh,dh->nd", dz, params[f"W_{k}"])
        grads["dh_prev"] += np.einsum("nh,kh->nk", dz, params[f"U_{k}"])
        grads[f"dW_{k}"] = np.einsum("nd,nh->dh", x_t, dz)
        grads[f"dU_{k}"] = np.einsum("nk,nh->kh", h_prev, dz)
        grads[f"db_{k}"] = np.einsum("nh->h", dz)
    return grads
""",
    ),
]

BACKWARD_TEMPLATE = """
def lstm_backward(dh, caches):
    N, T, H = dh.shape
    dx = np.zeros((N, T, caches[0][0].shape[1]))
    totals = {{}}
    dh_prev, dc_prev = np.zeros((N, H)), np.zeros((N, H))
    for t in {steps}:
        step = lstm_cell_backward({dh_next}, {dc_next}, caches[t])
        dx[:, t] = step.pop("dx_t")
        dh_prev, dc_prev = step.pop("dh_prev"), step.pop("dc_prev")
        for name, grad in step.items():
            totals[name] = {total}
    return {{"dx": dx, "dh0": dh_prev, "dc0": dc_prev, **totals}}
"""
BACKWARD_PARTS = {
    "steps": "reversed(range(T))",
    "dh_next": "dh[:, t] + dh_prev",
    "dc_next": "dc_prev",
    "total": "totals.get(name, 0.0) + grad",
}


def _backward(**changes) -> str:
    """The template's correct loop with some expressions replaced."""
    return BACKWARD_TEMPLATE.format(**{**BACKWARD_PARTS, **changes})


BACKWARD = [
    Answer(
        "lstm_backward",
        "cell-state gradient not carried back",
        _backward(dc_next="np.zeros((N, H))"),
        diagnostic="dc is not carried back",
    ),
    Answer(
        "lstm_backward",
        "hidden-state gradient not carried back",
        _backward(dh_next="dh[:, t]"),
        diagnostic="dh_prev is not carried back",
    ),
    Answer(
        "lstm_backward",
        "loop forwards in time",
        _backward(steps="range(T)"),
        diagnostic="the loop runs forwards in time",
    ),
    Answer(
        "lstm_backward",
        "weight gradients overwritten",
        _backward(total="grad"),
        diagnostic="the weight gradients are overwritten",
    ),
    Answer(
        "lstm_backward",
        "carried gradient added into dh in place",
        """
def lstm_backward(dh, caches):
    N, T, H = dh.shape
    dx = np.zeros((N, T, caches[0][0].shape[1]))
    totals = {}
    dc_prev = np.zeros((N, H))
    for t in reversed(range(T)):
        step = lstm_cell_backward(dh[:, t], dc_prev, caches[t])
        dx[:, t] = step.pop("dx_t")
        dh_prev, dc_prev = step.pop("dh_prev"), step.pop("dc_prev")
        if t > 0:
            dh[:, t - 1] += dh_prev
        for name, grad in step.items():
            totals[name] = totals.get(name, 0.0) + grad
    return {"dx": dx, "dh0": dh_prev, "dc0": dc_prev, **totals}
""",
        diagnostic="changed its input 'dh' in place",
    ),
    Answer(
        "lstm_backward",
        "time-major dx",
        """
def lstm_backward(dh, caches):
    N, T, H = dh.shape
    dxs, totals = [], {}
    dh_prev, dc_prev = np.zeros((N, H)), np.zeros((N, H))
    for t in reversed(range(T)):
        step = lstm_cell_backward(dh[:, t] + dh_prev, dc_prev, caches[t])
        dxs.insert(0, step.pop("dx_t"))
        dh_prev, dc_prev = step.pop("dh_prev"), step.pop("dc_prev")
        for name, grad in step.items():
            totals[name] = totals.get(name, 0.0) + grad
    return {"dx": np.array(dxs), "dh0": dh_prev, "dc0": dc_prev, **totals}
""",
        diagnostic="dx is time-major",
    ),
    Answer(
        "lstm_backward",
        "dc0 not returned",
        """
def lstm_backward(dh, caches):
    N, T, H = dh.shape
    dx = np.zeros((N, T, caches[0][0].shape[1]))
    totals = {}
    dh_prev, dc_prev = np.zeros((N, H)), np.zeros((N, H))
    for t in reversed(range(T)):
        step = lstm_cell_backward(dh[:, t] + dh_prev, dc_prev, caches[t])
        dx[:, t] = step.pop("dx_t")
        dh_prev, dc_prev = step.pop("dh_prev"), step.pop("dc_prev")
        for name, grad in step.items():
            totals[name] = totals.get(name, 0.0) + grad
    return {"dx": dx, "dh0": dh_prev, **totals}
""",
        diagnostic="has no key 'dc0'",
    ),
    Answer(
        "lstm_backward",
        "the course library's LSTM layer on the cached inputs",
        """
def lstm_backward(dh, caches):
    from rnnlab.echo import lstm_layer_backward, lstm_layer_forward

    x = np.stack([cache[0] for cache in caches], axis=1)
    _, h0, c0, _, _, params = caches[0]
    _, layer = lstm_layer_forward(x, h0, c0, params)
    return lstm_layer_backward(dh, layer)
""",
        diagnostic="uses the course library's lstm_layer_",
    ),
    Answer(
        "lstm_backward",
        "lists in reverse, stacked at the end",
        """
def lstm_backward(dh, caches):
    dh_carry = np.zeros_like(dh[:, 0])
    dc_carry = np.zeros_like(dh[:, 0])
    dxs, totals = [], None
    for t in range(dh.shape[1] - 1, -1, -1):
        step = lstm_cell_backward(dh[:, t] + dh_carry, dc_carry, caches[t])
        dxs.append(step["dx_t"])
        dh_carry, dc_carry = step["dh_prev"], step["dc_prev"]
        weights = {name: value for name, value in step.items() if name[1] in "WUb"}
        totals = weights if totals is None else {n: totals[n] + weights[n] for n in weights}
    return {"dx": np.stack(dxs[::-1], axis=1), "dh0": dh_carry, "dc0": dc_carry, **totals}
""",
    ),
    Answer(
        "lstm_backward",
        "weight gradients from zeros_like of the cached params",
        """
def lstm_backward(dh, caches):
    params = caches[0][5]
    grads = {"d" + name: np.zeros_like(value) for name, value in params.items()}
    grads["dx"] = np.zeros((*dh.shape[:2], caches[0][0].shape[1]))
    grads["dh0"] = np.zeros_like(dh[:, 0])
    grads["dc0"] = np.zeros_like(dh[:, 0])
    for t in reversed(range(dh.shape[1])):
        step = lstm_cell_backward(dh[:, t] + grads["dh0"], grads["dc0"], caches[t])
        grads["dx"][:, t] = step["dx_t"]
        grads["dh0"], grads["dc0"] = step["dh_prev"], step["dc_prev"]
        for k in GATE_ORDER:
            for weight in "WUb":
                grads[f"d{weight}_{k}"] += step[f"d{weight}_{k}"]
    return grads
""",
    ),
]

ANSWERS = FORWARD + CELL + BACKWARD
