"""Catalog of answers for lesson 07: mistakes students make, and correct variants."""

from grader_tests.catalog import Answer

CELL = [
    Answer(
        "rnn_cell_backward",
        "tanh derivative forgotten",
        """
def rnn_cell_backward(dh_next, cache):
    x_t, h_prev, h_next, params = cache
    return {
        "dx_t": dh_next @ params["W_x"].T,
        "dh_prev": dh_next @ params["W_h"].T,
        "dW_x": x_t.T @ dh_next,
        "dW_h": h_prev.T @ dh_next,
        "db": dh_next.sum(axis=0),
    }
""",
        diagnostic="tanh' is missing",
    ),
    Answer(
        "rnn_cell_backward",
        "tanh derivative at the previous state",
        """
def rnn_cell_backward(dh_next, cache):
    x_t, h_prev, h_next, params = cache
    da = dh_next * (1 - h_prev**2)
    return {
        "dx_t": da @ params["W_x"].T,
        "dh_prev": da @ params["W_h"].T,
        "dW_x": x_t.T @ da,
        "dW_h": h_prev.T @ da,
        "db": da.sum(axis=0),
    }
""",
        diagnostic="tanh' taken at h_prev",
    ),
    Answer(
        "rnn_cell_backward",
        "tanh applied to the cached output again",
        """
def rnn_cell_backward(dh_next, cache):
    x_t, h_prev, h_next, params = cache
    da = dh_next * (1 - np.tanh(h_next) ** 2)
    return {
        "dx_t": da @ params["W_x"].T,
        "dh_prev": da @ params["W_h"].T,
        "dW_x": x_t.T @ da,
        "dW_h": h_prev.T @ da,
        "db": da.sum(axis=0),
    }
""",
        diagnostic="tanh' computed as 1 - tanh(h_next)**2",
    ),
    Answer(
        "rnn_cell_backward",
        "recurrent weight gradient from the new state",
        """
def rnn_cell_backward(dh_next, cache):
    x_t, h_prev, h_next, params = cache
    da = dh_next * (1 - h_next**2)
    return {
        "dx_t": da @ params["W_x"].T,
        "dh_prev": da @ params["W_h"].T,
        "dW_x": x_t.T @ da,
        "dW_h": h_next.T @ da,
        "db": da.sum(axis=0),
    }
""",
        diagnostic="dW_h uses h_next",
    ),
    Answer(
        "rnn_cell_backward",
        "W_h not transposed for dh_prev",
        """
def rnn_cell_backward(dh_next, cache):
    x_t, h_prev, h_next, params = cache
    da = dh_next * (1 - h_next**2)
    return {
        "dx_t": da @ params["W_x"].T,
        "dh_prev": da @ params["W_h"],
        "dW_x": x_t.T @ da,
        "dW_h": h_prev.T @ da,
        "db": da.sum(axis=0),
    }
""",
        diagnostic="dh_prev uses W_h instead of its transpose",
    ),
    Answer(
        "rnn_cell_backward",
        "bias gradient not summed over the batch",
        """
def rnn_cell_backward(dh_next, cache):
    x_t, h_prev, h_next, params = cache
    da = dh_next * (1 - h_next**2)
    return {
        "dx_t": da @ params["W_x"].T,
        "dh_prev": da @ params["W_h"].T,
        "dW_x": x_t.T @ da,
        "dW_h": h_prev.T @ da,
        "db": da,
    }
""",
        diagnostic="db is not summed over the batch (axis 0)",
    ),
    Answer(
        "rnn_cell_backward",
        "input weight gradient transposed",
        """
def rnn_cell_backward(dh_next, cache):
    x_t, h_prev, h_next, params = cache
    da = dh_next * (1 - h_next**2)
    return {
        "dx_t": da @ params["W_x"].T,
        "dh_prev": da @ params["W_h"].T,
        "dW_x": da.T @ x_t,
        "dW_h": h_prev.T @ da,
        "db": da.sum(axis=0),
    }
""",
        diagnostic="dW_x is transposed",
    ),
    Answer(
        "rnn_cell_backward",
        "upstream gradient scaled in place",
        """
def rnn_cell_backward(dh_next, cache):
    x_t, h_prev, h_next, params = cache
    dh_next *= 1 - h_next**2
    return {
        "dx_t": dh_next @ params["W_x"].T,
        "dh_prev": dh_next @ params["W_h"].T,
        "dW_x": x_t.T @ dh_next,
        "dW_h": h_prev.T @ dh_next,
        "db": dh_next.sum(axis=0),
    }
""",
        diagnostic="changed its input 'dh_next' in place",
    ),
    Answer(
        "rnn_cell_backward",
        "gradients returned as a tuple",
        """
def rnn_cell_backward(dh_next, cache):
    x_t, h_prev, h_next, params = cache
    da = dh_next * (1 - h_next**2)
    return da @ params["W_x"].T, da @ params["W_h"].T, x_t.T @ da, h_prev.T @ da, da.sum(0)
""",
        diagnostic="rnn_cell_backward should be a dict with the keys 'dx_t'",
    ),
    Answer(
        "rnn_cell_backward",
        "pre-activation recomputed for the derivative",
        """
def rnn_cell_backward(dh_next, cache):
    x_t, h_prev, _, params = cache
    a = x_t @ params["W_x"] + h_prev @ params["W_h"] + params["b"]
    da = dh_next / np.cosh(a) ** 2
    return {
        "dx_t": da @ params["W_x"].T,
        "dh_prev": da @ params["W_h"].T,
        "dW_x": x_t.T @ da,
        "dW_h": h_prev.T @ da,
        "db": np.sum(da, axis=0),
    }
""",
    ),
    Answer(
        "rnn_cell_backward",
        "einsum",
        """
def rnn_cell_backward(dh_next, cache):
    x_t, h_prev, h_next, params = cache
    da = dh_next * (1 - h_next * h_next)
    return {
        "dx_t": np.einsum("nh,dh->nd", da, params["W_x"]),
        "dh_prev": np.einsum("nh,kh->nk", da, params["W_h"]),
        "dW_x": np.einsum("nd,nh->dh", x_t, da),
        "dW_h": np.einsum("nk,nh->kh", h_prev, da),
        "db": np.einsum("nh->h", da),
    }
""",
    ),
    Answer(
        "rnn_cell_backward",
        "stacked weights on concatenated inputs",
        """
def rnn_cell_backward(dh_next, cache):
    x_t, h_prev, h_next, params = cache
    D = x_t.shape[1]
    da = dh_next * (1 - h_next**2)
    inputs = np.concatenate([x_t, h_prev], axis=1)
    weights = np.vstack([params["W_x"], params["W_h"]])
    d_inputs, d_weights = da @ weights.T, inputs.T @ da
    return {
        "dx_t": d_inputs[:, :D],
        "dh_prev": d_inputs[:, D:],
        "dW_x": d_weights[:D],
        "dW_h": d_weights[D:],
        "db": da.sum(axis=0),
    }
""",
    ),
]

BACKWARD = [
    Answer(
        "rnn_backward",
        "hidden-state gradient not carried back",
        """
def rnn_backward(dh, caches):
    N, T, H = dh.shape
    D = caches[0][0].shape[1]
    dx = np.zeros((N, T, D))
    dW_x, dW_h, db = np.zeros((D, H)), np.zeros((H, H)), np.zeros(H)
    for t in reversed(range(T)):
        step = rnn_cell_backward(dh[:, t], caches[t])
        dx[:, t] = step["dx_t"]
        dW_x += step["dW_x"]
        dW_h += step["dW_h"]
        db += step["db"]
    return {"dx": dx, "dh0": step["dh_prev"], "dW_x": dW_x, "dW_h": dW_h, "db": db}
""",
        diagnostic="dh_prev is not carried to the step before",
    ),
    Answer(
        "rnn_backward",
        "loop forwards in time",
        """
def rnn_backward(dh, caches):
    N, T, H = dh.shape
    D = caches[0][0].shape[1]
    dx = np.zeros((N, T, D))
    dW_x, dW_h, db = np.zeros((D, H)), np.zeros((H, H)), np.zeros(H)
    dh_prev = np.zeros((N, H))
    for t in range(T):
        step = rnn_cell_backward(dh[:, t] + dh_prev, caches[t])
        dx[:, t] = step["dx_t"]
        dW_x += step["dW_x"]
        dW_h += step["dW_h"]
        db += step["db"]
        dh_prev = step["dh_prev"]
    return {"dx": dx, "dh0": dh_prev, "dW_x": dW_x, "dW_h": dW_h, "db": db}
""",
        diagnostic="the loop runs forwards in time",
    ),
    Answer(
        "rnn_backward",
        "weight gradients overwritten",
        """
def rnn_backward(dh, caches):
    N, T, H = dh.shape
    D = caches[0][0].shape[1]
    dx = np.zeros((N, T, D))
    dh_prev = np.zeros((N, H))
    for t in reversed(range(T)):
        step = rnn_cell_backward(dh[:, t] + dh_prev, caches[t])
        dx[:, t] = step["dx_t"]
        dW_x, dW_h, db = step["dW_x"], step["dW_h"], step["db"]
        dh_prev = step["dh_prev"]
    return {"dx": dx, "dh0": dh_prev, "dW_x": dW_x, "dW_h": dW_h, "db": db}
""",
        diagnostic="the weight gradients are overwritten",
    ),
    Answer(
        "rnn_backward",
        "upstream gradient used at the last step only",
        """
def rnn_backward(dh, caches):
    N, T, H = dh.shape
    D = caches[0][0].shape[1]
    dx = np.zeros((N, T, D))
    dW_x, dW_h, db = np.zeros((D, H)), np.zeros((H, H)), np.zeros(H)
    dh_next = dh[:, -1]
    for t in reversed(range(T)):
        step = rnn_cell_backward(dh_next, caches[t])
        dx[:, t] = step["dx_t"]
        dW_x += step["dW_x"]
        dW_h += step["dW_h"]
        db += step["db"]
        dh_next = step["dh_prev"]
    return {"dx": dx, "dh0": dh_next, "dW_x": dW_x, "dW_h": dW_h, "db": db}
""",
        diagnostic="is added at the last step only",
    ),
    Answer(
        "rnn_backward",
        "loop stops before the first step",
        """
def rnn_backward(dh, caches):
    N, T, H = dh.shape
    D = caches[0][0].shape[1]
    dx = np.zeros((N, T, D))
    dW_x, dW_h, db = np.zeros((D, H)), np.zeros((H, H)), np.zeros(H)
    dh_prev = np.zeros((N, H))
    for t in range(T - 1, 0, -1):
        step = rnn_cell_backward(dh[:, t] + dh_prev, caches[t])
        dx[:, t] = step["dx_t"]
        dW_x += step["dW_x"]
        dW_h += step["dW_h"]
        db += step["db"]
        dh_prev = step["dh_prev"]
    return {"dx": dx, "dh0": dh_prev, "dW_x": dW_x, "dW_h": dW_h, "db": db}
""",
        diagnostic="the loop stops before step 0",
    ),
    Answer(
        "rnn_backward",
        "carried gradient added into dh in place",
        """
def rnn_backward(dh, caches):
    N, T, H = dh.shape
    D = caches[0][0].shape[1]
    dx = np.zeros((N, T, D))
    dW_x, dW_h, db = np.zeros((D, H)), np.zeros((H, H)), np.zeros(H)
    for t in reversed(range(T)):
        step = rnn_cell_backward(dh[:, t], caches[t])
        dx[:, t] = step["dx_t"]
        dW_x += step["dW_x"]
        dW_h += step["dW_h"]
        db += step["db"]
        if t > 0:
            dh[:, t - 1] += step["dh_prev"]
    return {"dx": dx, "dh0": step["dh_prev"], "dW_x": dW_x, "dW_h": dW_h, "db": db}
""",
        diagnostic="changed its input 'dh' in place",
    ),
    Answer(
        "rnn_backward",
        "time-major dx",
        """
def rnn_backward(dh, caches):
    N, T, H = dh.shape
    dxs, totals, dh_prev = [], {}, np.zeros((N, H))
    for t in reversed(range(T)):
        step = rnn_cell_backward(dh[:, t] + dh_prev, caches[t])
        dxs.insert(0, step["dx_t"])
        dh_prev = step["dh_prev"]
        for name in ("dW_x", "dW_h", "db"):
            totals[name] = totals.get(name, 0) + step[name]
    return {"dx": np.array(dxs), "dh0": dh_prev, **totals}
""",
        diagnostic="dx is time-major",
    ),
    Answer(
        "rnn_backward",
        "weight gradients of every step stacked, not summed",
        """
def rnn_backward(dh, caches):
    N, T, H = dh.shape
    steps, dh_prev = [None] * T, np.zeros((N, H))
    for t in reversed(range(T)):
        steps[t] = rnn_cell_backward(dh[:, t] + dh_prev, caches[t])
        dh_prev = steps[t]["dh_prev"]
    grads = {name: np.stack([s[name] for s in steps]) for name in ("dW_x", "dW_h", "db")}
    dx = np.stack([s["dx_t"] for s in steps], axis=1)
    return {"dx": dx, "dh0": dh_prev, **grads}
""",
        diagnostic="holds one gradient per step",
    ),
    Answer(
        "rnn_backward",
        "lists in reverse, stacked at the end",
        """
def rnn_backward(dh, caches):
    dh_prev = np.zeros_like(dh[:, 0])
    dxs, totals = [], {"dW_x": 0.0, "dW_h": 0.0, "db": 0.0}
    for dh_t, cache in zip(dh.transpose(1, 0, 2)[::-1], caches[::-1]):
        step = rnn_cell_backward(dh_t + dh_prev, cache)
        dxs.append(step["dx_t"])
        dh_prev = step["dh_prev"]
        totals = {name: totals[name] + step[name] for name in totals}
    return {"dx": np.stack(dxs[::-1], axis=1), "dh0": dh_prev, **totals}
""",
    ),
    Answer(
        "rnn_backward",
        "zeros_like for the weight gradients, negative time index",
        """
def rnn_backward(dh, caches):
    params = caches[0][3]
    grads = {"d" + name: np.zeros_like(params[name]) for name in ("W_x", "W_h", "b")}
    dx = np.zeros(dh.shape[:2] + caches[0][0].shape[1:])
    carry = np.zeros(dh.shape[::2])
    for back in range(1, dh.shape[1] + 1):
        step = rnn_cell_backward(dh[:, -back] + carry, caches[-back])
        dx[:, -back] = step["dx_t"]
        carry = step["dh_prev"]
        for name in grads:
            grads[name] = grads[name] + step[name]
    return {"dx": dx, "dh0": carry, **grads}
""",
    ),
]

CLIP = [
    Answer(
        "clip_gradients",
        "the course library's clip_grad_norm on copies",
        """
def clip_gradients(grads, max_norm):
    from rnnlab.optim import clip_grad_norm

    clipped = {name: g.copy() for name, g in grads.items()}
    clip_grad_norm(list(clipped.values()), max_norm)
    return clipped
""",
        diagnostic="uses the course library's clip_grad_norm",
    ),
    Answer(
        "clip_gradients",
        "each array clipped on its own",
        """
def clip_gradients(grads, max_norm):
    clipped = {}
    for name, g in grads.items():
        norm = np.linalg.norm(g)
        clipped[name] = g * max_norm / norm if norm > max_norm else g.copy()
    return clipped
""",
        diagnostic="each array is clipped to max_norm on its own",
    ),
    Answer(
        "clip_gradients",
        "element-wise np.clip",
        """
def clip_gradients(grads, max_norm):
    return {name: np.clip(g, -max_norm, max_norm) for name, g in grads.items()}
""",
        diagnostic="the elements are clipped",
    ),
    Answer(
        "clip_gradients",
        "squared norm without the root",
        """
def clip_gradients(grads, max_norm):
    norm = sum(np.sum(g**2) for g in grads.values())
    scale = max_norm / norm if norm > max_norm else 1.0
    return {name: g * scale for name, g in grads.items()}
""",
        diagnostic="the norm has no square root",
    ),
    Answer(
        "clip_gradients",
        "always rescaled to max_norm",
        """
def clip_gradients(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
    return {name: g * max_norm / norm for name, g in grads.items()}
""",
        diagnostic="the arrays are always scaled to max_norm",
    ),
    Answer(
        "clip_gradients",
        "norms of the arrays added up",
        """
def clip_gradients(grads, max_norm):
    norm = sum(np.linalg.norm(g) for g in grads.values())
    scale = min(1.0, max_norm / norm)
    return {name: g * scale for name, g in grads.items()}
""",
        diagnostic="the norms of the arrays are added up",
    ),
    Answer(
        "clip_gradients",
        "scaled in place",
        """
def clip_gradients(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
    if norm > max_norm:
        for g in grads.values():
            g *= max_norm / norm
    return grads
""",
        diagnostic="changed its input",
    ),
    Answer(
        "clip_gradients",
        "scaled in place without a return",
        """
def clip_gradients(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
    if norm > max_norm:
        for g in grads.values():
            g *= max_norm / norm
""",
        diagnostic="clip_gradients returned None: return a new dict",
    ),
    Answer(
        "clip_gradients",
        "unit direction times the capped length",
        """
def clip_gradients(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
    return {name: g / norm * min(norm, max_norm) for name, g in grads.items()}
""",
        diagnostic="contain nan or inf",
    ),
    Answer(
        "clip_gradients",
        "one long vector and np.minimum",
        """
def clip_gradients(grads, max_norm):
    everything = np.concatenate([np.ravel(g) for g in grads.values()])
    norm = np.linalg.norm(everything)
    scale = np.minimum(1.0, max_norm / max(norm, 1e-12))
    return {name: scale * g for name, g in grads.items()}
""",
    ),
    Answer(
        "clip_gradients",
        "math.sqrt of vdot sums",
        """
def clip_gradients(grads, max_norm):
    import math

    total = 0.0
    for g in grads.values():
        total += float(np.vdot(g, g))
    norm = math.sqrt(total)
    if norm <= max_norm:
        return {name: g.copy() for name, g in grads.items()}
    return {name: g * (max_norm / norm) for name, g in grads.items()}
""",
    ),
]

ANSWERS = CELL + BACKWARD + CLIP
