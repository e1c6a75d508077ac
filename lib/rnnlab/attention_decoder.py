"""An LSTM decoder with additive attention over the states of a Bi-LSTM encoder.

For each output step t = 1..Ty, with s_prev: (N, S) the decoder state of step t-1:

    energy   e_i   = tanh(concat[a_i, s_prev] @ W_e + b_e) @ v    for all Tx steps i at once
    weights  alpha = softmax(e) over the encoder steps i          alpha: (N, Tx)
    context  ctx   = sum_i alpha_i a_i                            ctx: (N, A)
    LSTM     s_t, c_t = LSTM step on input ctx from (s_prev, c_prev)
    output   scores_t = s_t @ W_y + b_y; softmax(scores_t) is the distribution over V symbols

The first state s_0 is made from the encoder's final forward and backward states,
concat[h_fw, h_bw]: (N, A), projected by a Dense layer when A != S; c_0 = 0.

Since concat[a_i, s_prev] @ W_e = a_i @ W_e[:A] + s_prev @ W_e[A:], the encoder part is
one product for all i and all t, made once before the loop. A bias on the last product
(@ v) would cancel in the softmax, so there is none.
"""

import numpy as np

from rnnlab.functions import softmax
from rnnlab.layers import (
    Dense,
    forward_cache,
    lstm_cell_backward,
    lstm_cell_forward,
    lstm_gate_scale,
    lstm_init,
    lstm_local_derivatives,
)


class AttentionDecoder:
    """Attention decoder, Ty output steps over V symbols.

    forward(a, h_fw, h_bw) -> scores: (N, Ty, V), alpha: (N, Ty, Tx), with a: (N, Tx, A)
    the encoder states and h_fw, h_bw: (N, A/2) its final states.
    backward(dscores) -> da: (N, Tx, A), dh_fw, dh_bw: (N, A/2).
    params: W_e (A + S, E), b_e (E,), v (E,), the decoder LSTM's W_x (A, 4S), W_h (S, 4S),
    b (4S,) (gates in rnnlab.layers.GATE_ORDER), then the bridge Dense's W (A, S), b (S,)
    when A != S, then the output Dense's W_y (S, V), b_y (V,).
    """

    def __init__(self, A: int, S: int, E: int, V: int, Ty: int, rng, dtype=np.float64):
        bound = 1 / np.sqrt(A + S)
        attention = [rng.uniform(-bound, bound, (A + S, E)), np.zeros(E)]
        attention.append(rng.uniform(-1 / np.sqrt(E), 1 / np.sqrt(E), E))
        self.bridge = Dense(A, S, rng, dtype) if A != S else None
        self.output = Dense(S, V, rng, dtype)
        own = [p.astype(dtype) for p in attention] + lstm_init(A, S, rng, dtype)
        layers = ([self.bridge] if self.bridge else []) + [self.output]
        self.params = own + [p for layer in layers for p in layer.params]
        self.grads = [np.zeros_like(p) for p in own] + [g for layer in layers for g in layer.grads]
        self.Ty = Ty
        self.cache = None

    def _first_state(self, h_fw, h_bw, dtype) -> np.ndarray:
        """s_0: (N, S) from the final encoder states h_fw, h_bw: (N, A/2)."""
        finals = np.concatenate([h_fw, h_bw], axis=1).astype(dtype, copy=False)
        return self.bridge.forward(finals) if self.bridge else finals

    def forward(self, a: np.ndarray, h_fw: np.ndarray, h_bw: np.ndarray):
        W_e, b_e, v, W_x, W_h, b = self.params[:6]
        a = np.asarray(a, dtype=W_e.dtype)
        (N, Tx, A), S, E, Ty = a.shape, W_h.shape[0], v.shape[0], self.Ty
        scale = lstm_gate_scale(S, W_e.dtype)
        pre_a = (a.reshape(N * Tx, A) @ W_e[:A] + b_e).reshape(N, Tx, E)
        W_s = np.concatenate([W_e[A:].T, W_h.T * scale])  # both products of s_prev in one
        W_ctx, b_scaled = W_x.T * scale, b[:, None] * scale
        ss, cs = np.zeros((2, Ty + 1, S, N), W_e.dtype)  # column layout, see rnnlab.layers
        ss[0] = self._first_state(h_fw, h_bw, W_e.dtype).T
        u, alpha = np.empty((Ty, N, Tx, E), W_e.dtype), np.empty((Ty, N, Tx), W_e.dtype)
        ctx, z = np.empty((Ty, N, A), W_e.dtype), np.empty((Ty, 4 * S, N), W_e.dtype)
        tanh_c = np.empty((Ty, S, N), W_e.dtype)
        for t in range(Ty):
            r = W_s @ ss[t]
            np.tanh(np.add(pre_a, r[:E].T[:, None, :], out=u[t]), out=u[t])
            alpha[t] = softmax(u[t] @ v)
            np.matmul(alpha[t][:, None, :], a, out=ctx[t][:, None, :])
            np.matmul(W_ctx, ctx[t].T, out=z[t])
            z[t] += r[E:] + b_scaled
            lstm_cell_forward(z[t], cs[t], cs[t + 1], tanh_c[t], ss[t + 1])
        self.cache = (a, ss, cs, u, alpha, ctx, z, tanh_c, h_fw.shape[1])
        scores = self.output.forward(np.ascontiguousarray(ss[1:].transpose(2, 0, 1)))
        return scores, np.ascontiguousarray(alpha.transpose(1, 0, 2))

    def _backward_steps(self, dstates):
        """Back through the Ty steps. dstates: (Ty, S, N) from the output layer.

        Returns dr: (Ty, E + 4S, N), the gradients of each step's [energy part of s_prev
        @ W_e[A:]; LSTM pre-activations], dctx: (Ty, N, A), de: (Ty, N, Tx), v_tanh:
        (Ty, N, Tx, E), the factor from de to the energy layer's pre-activations, and
        ds0: (N, S).
        """
        a, _, cs, u, alpha, ctx, z, tanh_c, _ = self.cache
        W_e, _, v, W_x, W_h, _ = self.params[:6]
        (Ty, N, _, E), A, S = u.shape, a.shape[2], W_h.shape[0]
        M, dc_ds = lstm_local_derivatives(z, cs[:-1], tanh_c)
        v_tanh = v * (1 - u * u)
        W_s = np.concatenate([W_e[A:], W_h], axis=1)
        dr, dctx = np.empty((Ty, E + 4 * S, N), W_e.dtype), np.empty_like(ctx)
        de = np.empty_like(alpha)
        ds_next, dc_next = np.zeros((2, S, N), W_e.dtype)
        for t in reversed(range(Ty)):
            ds = dstates[t] + ds_next
            dc_next = lstm_cell_backward(ds, dc_next, M[t], dc_ds[t], z[t, :S], dr[t, E:])
            np.matmul(dr[t, E:].T, W_x.T, out=dctx[t])
            dalpha = (a @ dctx[t][:, :, None])[:, :, 0]
            de[t] = alpha[t] * (dalpha - np.sum(alpha[t] * dalpha, axis=1, keepdims=True))
            dr[t, :E] = (de[t][:, None, :] @ v_tanh[t])[:, 0].T
            ds_next = W_s @ dr[t]
        return dr, dctx, de, v_tanh, ds_next.T

    def backward(self, dscores: np.ndarray):
        a, ss, _, u, alpha, ctx, _, _, H_fw = forward_cache(self)
        W_e = self.params[0]
        dstates = self.output.backward(np.asarray(dscores, W_e.dtype)).transpose(1, 2, 0)
        dr, dctx, de, v_tanh, ds0 = self._backward_steps(dstates)
        (_, N, Tx, E), A = u.shape, a.shape[2]
        dpre_a = np.einsum("ynt,ynte->nte", de, v_tanh)
        dW_s = np.tensordot(ss[:-1], dr, axes=([0, 2], [0, 2]))
        dW_e, db_e, dv, dW_x, dW_h, db = self.grads[:6]
        dW_e[:A] = a.reshape(N * Tx, A).T @ dpre_a.reshape(N * Tx, E)
        dW_e[A:] = dW_s[:, :E]
        db_e[...] = dpre_a.sum(axis=(0, 1))
        dv[...] = de.reshape(-1) @ u.reshape(-1, E)
        dW_x[...] = np.tensordot(ctx, dr[:, E:], axes=([0, 1], [0, 2]))
        dW_h[...] = dW_s[:, E:]
        db[...] = dr[:, E:].sum(axis=(0, 2))
        da = dpre_a @ W_e[:A].T + alpha.transpose(1, 2, 0) @ dctx.transpose(1, 0, 2)
        dfinals = self.bridge.backward(ds0) if self.bridge else ds0
        return da, dfinals[:, :H_fw], dfinals[:, H_fw:]
