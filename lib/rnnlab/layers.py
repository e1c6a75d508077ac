"""Layers with the course's one interface.

Every layer has
    params: list of its parameter arrays (empty for a layer without weights),
    grads:  list of arrays shaped like params, filled by backward,
    forward(*inputs) -> output, caching what backward needs,
    backward(dout) -> the gradient of each input (a tuple when there are several).
backward uses only what the last forward cached and never changes its arguments; called
before any forward, it raises NotRunError, which says so.
"""

import numpy as np

from rnnlab.functions import softmax


class NotRunError(RuntimeError):
    """A layer's backward was called before its forward: nothing is cached yet."""


def forward_cache(layer):
    """`layer.cache`, what its last forward stored; NotRunError if forward never ran."""
    if layer.cache is None:
        name = type(layer).__name__
        raise NotRunError(
            f"{name}.backward was called before {name}.forward: backward uses what the "
            "last forward cached, so run forward first"
        )
    return layer.cache


class Softmax:
    """Softmax over the last axis. x: (..., K) -> y: (..., K)."""

    def __init__(self):
        self.params, self.grads = [], []
        self.cache = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        y = softmax(x)
        self.cache = y
        return y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        """dy: (..., K) -> dx: (..., K), with dx = y * (dy - sum(dy * y)) along the last axis."""
        y = forward_cache(self)
        return y * (dy - np.sum(dy * y, axis=-1, keepdims=True))


def _floats(array, dtype) -> np.ndarray:
    """`array` as an ndarray of `dtype`, without a copy when it already is one."""
    return np.asarray(array, dtype=dtype)


class Dense:
    """Affine map over the last axis: y = x @ W + b. x: (..., D) -> y: (..., K).

    params: W (D, K), b (K,), initialised uniform in +-1/sqrt(D) and zero.
    """

    def __init__(self, D: int, K: int, rng: np.random.Generator, dtype=np.float64):
        bound = 1 / np.sqrt(D)
        self.params = [rng.uniform(-bound, bound, (D, K)).astype(dtype), np.zeros(K, dtype)]
        self.grads = [np.zeros_like(p) for p in self.params]
        self.cache = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        W, b = self.params
        x = _floats(x, W.dtype)
        self.cache = x
        return x @ W + b

    def backward(self, dy: np.ndarray) -> np.ndarray:
        """dy: (..., K) -> dx: (..., D); fills grads dW: (D, K), db: (K,)."""
        W = self.params[0]
        x = forward_cache(self)
        dy2 = dy.reshape(-1, dy.shape[-1])
        self.grads[0][...] = x.reshape(-1, x.shape[-1]).T @ dy2
        self.grads[1][...] = dy2.sum(axis=0)
        return dy @ W.T


class SoftmaxCrossEntropy:
    """Mean cross-entropy of a softmax over the last axis, at every time step.

    forward(scores: (N, T, V), targets: (N, T) int ids) -> loss, a float: the mean over
    the N*T steps of -log softmax(scores)[target]. backward(dloss=1.0) -> dscores: (N, T, V).
    The targets are class ids, not differentiable, so backward returns dscores only.
    """

    def __init__(self):
        self.params, self.grads = [], []
        self.cache = None

    def forward(self, scores: np.ndarray, targets: np.ndarray) -> float:
        shifted = scores - scores.max(axis=-1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
        picked = np.take_along_axis(log_probs, targets[..., None], axis=-1)
        self.cache = (log_probs, targets)
        return float(-picked.mean())

    def backward(self, dloss=1.0) -> np.ndarray:
        """dloss: scalar -> dscores: (N, T, V) = (softmax - one_hot(targets)) * dloss / (N*T)."""
        log_probs, targets = forward_cache(self)
        dscores, index = np.exp(log_probs), targets[..., None]
        np.put_along_axis(dscores, index, np.take_along_axis(dscores, index, -1) - 1, -1)
        return dscores * (np.asarray(dloss, dscores.dtype) / targets.size)


GATE_ORDER = ("f", "i", "o", "g")

# The LSTM loops below work in column layout: a step's pre-activations z[t]: (4H, N) and
# states (H, N), so each gate is a contiguous block of rows and the many small elementwise
# operations of a step run on contiguous memory. Inputs and outputs keep the course's
# batch-first shapes.


def lstm_gate_scale(H: int, dtype) -> np.ndarray:
    """(4H, 1) factors 0.5 for the gates f, i, o and 1 for the candidate g.

    Pre-activations scaled by it let one tanh serve all four: sigmoid(z) = (tanh(z/2) + 1) / 2.
    """
    return np.concatenate([np.full(3 * H, 0.5), np.ones(H)]).astype(dtype)[:, None]


def lstm_cell_forward(z, c_prev, c_next, tanh_c, h_next) -> None:
    """One LSTM step from scaled pre-activations (see lstm_gate_scale), column layout.

    z: (4H, N) becomes the activations [f; i; o; g] in place; c_prev: (H, N). Writes
    c_next = f * c_prev + i * g, tanh_c = tanh(c_next) and h_next = o * tanh_c, each (H, N).
    """
    H = c_prev.shape[0]
    np.tanh(z, out=z)
    gates = z[: 3 * H]
    gates *= 0.5
    gates += 0.5
    np.multiply(z[:H], c_prev, out=c_next)
    c_next += z[H : 2 * H] * z[3 * H :]
    np.tanh(c_next, out=tanh_c)
    np.multiply(z[2 * H : 3 * H], tanh_c, out=h_next)


def lstm_local_derivatives(act, c_prev, tanh_c):
    """Step-local derivatives for every step at once, so the backward loop only multiplies.

    act: (T, 4H, N) activations [f; i; o; g]; c_prev, tanh_c: (T, H, N).
    Returns M: (T, 4, H, N), with dz_k = dc * M[:, k] for k = f, i, g and
    dz_o = dh * M[:, 2], and dc_dh: (T, H, N) = o * (1 - tanh_c^2).
    """
    T, H, N = c_prev.shape
    M = np.empty((T, 4, H, N), act.dtype)
    gates = act.reshape(T, 4, H, N)
    np.subtract(1, gates[:, :3], out=M[:, :3])
    M[:, :3] *= gates[:, :3]  # s * (1 - s) for the sigmoid gates f, i, o
    M[:, 0] *= c_prev
    M[:, 1] *= gates[:, 3]
    M[:, 2] *= tanh_c
    np.square(gates[:, 3], out=M[:, 3])
    np.subtract(1, M[:, 3], out=M[:, 3])
    M[:, 3] *= gates[:, 1]
    dc_dh = np.square(tanh_c)
    np.subtract(1, dc_dh, out=dc_dh)
    dc_dh *= gates[:, 2]
    return M, dc_dh


def lstm_cell_backward(dh, dc_next, M_t, dc_dh_t, f_t, dz) -> np.ndarray:
    """One step back, column layout. dh: (H, N) gradient of h_t; dc_next: (H, N) of c_t
    from step t+1; M_t: (4, H, N), dc_dh_t, f_t: (H, N). Fills dz: (4H, N), the gradient of
    the step's pre-activations, and returns dc_prev: (H, N), the gradient of c_{t-1}."""
    dc = dh * dc_dh_t
    dc += dc_next
    dz4 = dz.reshape(M_t.shape)
    np.multiply(dc, M_t, out=dz4)
    np.multiply(dh, M_t[2], out=dz4[2])
    return dc * f_t


def lstm_init(D: int, H: int, rng: np.random.Generator, dtype) -> list:
    """[W_x (D, 4H), W_h (H, 4H), b (4H,)], uniform in +-1/sqrt(H), forget-gate bias 1."""
    bound = 1 / np.sqrt(H)
    b = np.zeros(4 * H)
    b[:H] = 1.0
    weights = [rng.uniform(-bound, bound, shape) for shape in ((D, 4 * H), (H, 4 * H))]
    return [p.astype(dtype) for p in (*weights, b)]


class LSTM:
    """A standard LSTM over a whole sequence. x: (N, T, D) -> h: (N, T, H).

    params: W_x (D, 4H), W_h (H, 4H), b (4H,); the gates are stacked in GATE_ORDER
    (f, i, o, g): columns [0, H) forget gate, [H, 2H) input gate, [2H, 3H) output gate,
    [3H, 4H) candidate. A step is z = x_t @ W_x + h_prev @ W_h + b, f, i, o = sigmoid(...),
    g = tanh(...), c_t = f * c_prev + i * g, h_t = o * tanh(c_t). The input projection of all
    steps is one matrix product before the loop; only the product with W_h is inside it.

    forward(x, h0=None, c0=None) -> h: (N, T, H); h0, c0: (N, H), zeros when omitted.
    After forward, h_last and c_last: (N, H) hold the final states.
    backward(dh, dh_last=None, dc_last=None) -> dx: (N, T, D), followed by dh0 and dc0
    (each (N, H)) when forward was given h0 and c0; dh_last, dc_last: (N, H) are gradients
    arriving at the final states. dtype: float32 for speed, float64 for gradient checks.
    """

    def __init__(self, D: int, H: int, rng: np.random.Generator, dtype=np.float64):
        self.params = lstm_init(D, H, rng, dtype)
        self.grads = [np.zeros_like(p) for p in self.params]
        self.cache = None
        self.h_last = self.c_last = None

    def forward(self, x: np.ndarray, h0=None, c0=None) -> np.ndarray:
        W_x, W_h, b = self.params
        x = _floats(x, W_x.dtype)
        (N, T, _), H = x.shape, W_h.shape[0]
        scale = lstm_gate_scale(H, W_x.dtype)
        x_steps = np.ascontiguousarray(x.transpose(1, 2, 0))
        z_x = np.matmul(W_x.T * scale, x_steps)
        z_x += b[:, None] * scale
        hs, cs = np.empty((2, T + 1, H, N), W_x.dtype)
        hs[0] = 0 if h0 is None else np.transpose(h0)
        cs[0] = 0 if c0 is None else np.transpose(c0)
        z, tanh_c = np.empty((T, 4 * H, N), W_x.dtype), np.empty((T, H, N), W_x.dtype)
        W_h_cols = np.ascontiguousarray(W_h.T * scale)
        for t in range(T):
            np.matmul(W_h_cols, hs[t], out=z[t])
            z[t] += z_x[t]
            lstm_cell_forward(z[t], cs[t], cs[t + 1], tanh_c[t], hs[t + 1])
        self.cache = (x_steps, z, hs, cs, tanh_c, h0 is not None, c0 is not None)
        self.h_last, self.c_last = hs[T].T.copy(), cs[T].T.copy()
        return np.ascontiguousarray(hs[1:].transpose(2, 0, 1))

    def _backward_steps(self, act, cs, tanh_c, dh, dh_last, dc_last):
        """act: (T, 4H, N), cs: (T + 1, H, N), tanh_c: (T, H, N) from the forward's cache,
        dh: (N, T, H) -> dz: (T, 4H, N), dh0, dc0: (H, N), looping back over the steps."""
        W_h = self.params[1]
        M, dc_dh = lstm_local_derivatives(act, cs[:-1], tanh_c)
        dh_steps = np.ascontiguousarray(_floats(dh, W_h.dtype).transpose(1, 2, 0))
        zeros = np.zeros(dc_dh.shape[1:], W_h.dtype)
        dh_next = zeros if dh_last is None else _floats(dh_last, W_h.dtype).T
        dc_next = zeros if dc_last is None else _floats(dc_last, W_h.dtype).T
        dz, H = np.empty_like(act), W_h.shape[0]
        for t in reversed(range(len(act))):
            dh_t = dh_steps[t] + dh_next
            dc_next = lstm_cell_backward(dh_t, dc_next, M[t], dc_dh[t], act[t, :H], dz[t])
            dh_next = W_h @ dz[t]
        return dz, dh_next, dc_next

    def backward(self, dh: np.ndarray, dh_last=None, dc_last=None):
        x_steps, act, hs, cs, tanh_c, has_h0, has_c0 = forward_cache(self)
        W_x = self.params[0]
        dz, dh0, dc0 = self._backward_steps(act, cs, tanh_c, dh, dh_last, dc_last)
        (T, H4, N), D = dz.shape, W_x.shape[0]
        dz_cols = dz.transpose(1, 0, 2).reshape(H4, T * N)
        inputs = np.concatenate([x_steps, hs[:-1]], axis=1)  # (T, D + H, N): x_t and h_prev
        dW = dz_cols @ inputs.transpose(1, 0, 2).reshape(D + H4 // 4, T * N).T
        self.grads[0][...] = dW[:, :D].T
        self.grads[1][...] = dW[:, D:].T
        self.grads[2][...] = dz_cols.sum(axis=1)
        dx = (W_x @ dz_cols).reshape(D, T, N).transpose(2, 1, 0)
        grads = (dx, *((dh0.T,) if has_h0 else ()), *((dc0.T,) if has_c0 else ()))
        return grads if len(grads) > 1 else dx


class BiLSTM:
    """Two LSTMs, one reading x forwards and one reading it reversed.

    x: (N, T, D) -> h: (N, T, 2H) = [forward states | backward states], the backward
    states re-reversed so h[:, t] describes step t from both sides. params: the forward
    LSTM's [W_x, W_h, b], then the backward one's. After forward, h_fw, c_fw: (N, H) are
    the forward LSTM's final states (after step T-1), h_bw, c_bw: (N, H) the backward
    LSTM's (after reading step 0).
    backward(dh, dh_fw=None, dc_fw=None, dh_bw=None, dc_bw=None) -> dx: (N, T, D); the
    optional (N, H) arguments are gradients arriving at the final states.
    """

    def __init__(self, D: int, H: int, rng: np.random.Generator, dtype=np.float64):
        self.forward_lstm = LSTM(D, H, rng, dtype)
        self.backward_lstm = LSTM(D, H, rng, dtype)
        self.params = self.forward_lstm.params + self.backward_lstm.params
        self.grads = self.forward_lstm.grads + self.backward_lstm.grads
        self.h_fw = self.c_fw = self.h_bw = self.c_bw = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        h_forward = self.forward_lstm.forward(x)
        h_backward = self.backward_lstm.forward(x[:, ::-1])
        self.h_fw, self.c_fw = self.forward_lstm.h_last, self.forward_lstm.c_last
        self.h_bw, self.c_bw = self.backward_lstm.h_last, self.backward_lstm.c_last
        return np.concatenate([h_forward, h_backward[:, ::-1]], axis=-1)

    def backward(self, dh, dh_fw=None, dc_fw=None, dh_bw=None, dc_bw=None) -> np.ndarray:
        H = dh.shape[-1] // 2
        dx = self.forward_lstm.backward(dh[..., :H], dh_fw, dc_fw)
        dx_reversed = self.backward_lstm.backward(dh[:, ::-1, H:], dh_bw, dc_bw)
        return dx + dx_reversed[:, ::-1]
