"""Catalog of answers for lesson 06: mistakes students make, and correct variants."""

from grader_tests.catalog import Answer

ENCODE = [
    Answer(
        "bilstm_encode",
        "outputs squeezed",
        """
def bilstm_encode(x, lstm_fw, lstm_bw):
    h_forward = lstm_fw.forward(x)
    h_backward = lstm_bw.forward(x[:, ::-1])[:, ::-1]
    hs = np.squeeze(np.concatenate([h_forward, h_backward], axis=2))
    return hs, lstm_fw.h_last, lstm_fw.c_last, lstm_bw.h_last, lstm_bw.c_last
""",
        diagnostic="hs should have shape",
        hidden_only="only a sequence of one step (T = 1) shows it; public cases have several",
    ),
    Answer(
        "bilstm_encode",
        "backward not re-reversed",
        """
def bilstm_encode(x, lstm_fw, lstm_bw):
    h_forward = lstm_fw.forward(x)
    h_backward = lstm_bw.forward(x[:, ::-1])
    hs = np.concatenate([h_forward, h_backward], axis=2)
    return hs, lstm_fw.h_last, lstm_fw.c_last, lstm_bw.h_last, lstm_bw.c_last
""",
        diagnostic="the backward outputs are not re-reversed",
    ),
    Answer(
        "bilstm_encode",
        "backward first",
        """
def bilstm_encode(x, lstm_fw, lstm_bw):
    h_forward = lstm_fw.forward(x)
    h_backward = lstm_bw.forward(x[:, ::-1])[:, ::-1]
    hs = np.concatenate([h_backward, h_forward], axis=-1)
    return hs, lstm_fw.h_last, lstm_fw.c_last, lstm_bw.h_last, lstm_bw.c_last
""",
        diagnostic="concatenated in the wrong order",
    ),
    Answer(
        "bilstm_encode",
        "backward LSTM not reversed",
        """
def bilstm_encode(x, lstm_fw, lstm_bw):
    hs = np.concatenate([lstm_fw.forward(x), lstm_bw.forward(x)], axis=2)
    return hs, lstm_fw.h_last, lstm_fw.c_last, lstm_bw.h_last, lstm_bw.c_last
""",
        diagnostic="the backward LSTM reads x forwards",
    ),
    Answer(
        "bilstm_encode",
        "reversed along the batch",
        """
def bilstm_encode(x, lstm_fw, lstm_bw):
    h_forward = lstm_fw.forward(x)
    h_backward = lstm_bw.forward(x[::-1])[::-1]
    hs = np.concatenate([h_forward, h_backward], axis=2)
    return hs, lstm_fw.h_last, lstm_fw.c_last, lstm_bw.h_last, lstm_bw.c_last
""",
        diagnostic="x[::-1] reverses the batch, not time",
    ),
    Answer(
        "bilstm_encode",
        "concatenated along time",
        """
def bilstm_encode(x, lstm_fw, lstm_bw):
    h_forward = lstm_fw.forward(x)
    h_backward = lstm_bw.forward(x[:, ::-1])[:, ::-1]
    hs = np.concatenate([h_forward, h_backward], axis=1)
    return hs, lstm_fw.h_last, lstm_fw.c_last, lstm_bw.h_last, lstm_bw.c_last
""",
        diagnostic="concatenated along time (axis 1)",
    ),
    Answer(
        "bilstm_encode",
        "h_bw from the last step",
        """
def bilstm_encode(x, lstm_fw, lstm_bw):
    H = lstm_fw.params[1].shape[0]
    h_forward = lstm_fw.forward(x)
    h_backward = lstm_bw.forward(x[:, ::-1])[:, ::-1]
    hs = np.concatenate([h_forward, h_backward], axis=2)
    return hs, hs[:, -1, :H], lstm_fw.c_last, hs[:, -1, H:], lstm_bw.c_last
""",
        diagnostic="after it read step 0",
    ),
    Answer(
        "bilstm_encode",
        "one LSTM for both directions",
        """
def bilstm_encode(x, lstm_fw, lstm_bw):
    h_forward = lstm_fw.forward(x)
    h_fw, c_fw = lstm_fw.h_last, lstm_fw.c_last
    h_backward = lstm_fw.forward(x[:, ::-1])[:, ::-1]
    hs = np.concatenate([h_forward, h_backward], axis=2)
    return hs, h_fw, c_fw, lstm_fw.h_last, lstm_fw.c_last
""",
        diagnostic="lstm_fw is used for both directions",
    ),
    Answer(
        "bilstm_encode",
        "np.flip and np.dstack",
        """
def bilstm_encode(x, lstm_fw, lstm_bw):
    \"\"\"x: (N, T, D) -> hs (N, T, 2H), h_fw, c_fw, h_bw, c_bw (N, H).\"\"\"
    forward_states = lstm_fw.forward(x)
    h_fw, c_fw = lstm_fw.h_last, lstm_fw.c_last
    backward_states = np.flip(lstm_bw.forward(np.flip(x, axis=1)), axis=1)
    h_bw, c_bw = lstm_bw.h_last, lstm_bw.c_last
    return np.dstack([forward_states, backward_states]), h_fw, c_fw, h_bw, c_bw
""",
    ),
    Answer(
        "bilstm_encode",
        "filled array with reversed indices",
        """
def bilstm_encode(x, lstm_fw, lstm_bw):
    N, T, _ = x.shape
    reverse = np.arange(T)[::-1]
    h_forward = lstm_fw.forward(x)
    h_backward = lstm_bw.forward(x[:, reverse, :])
    H = h_forward.shape[2]
    hs = np.empty((N, T, 2 * H))
    hs[:, :, :H] = h_forward
    hs[:, :, H:] = h_backward[:, reverse, :]
    return hs, lstm_fw.h_last, lstm_fw.c_last, lstm_bw.h_last, lstm_bw.c_last
""",
    ),
]

ADDITIVE = [
    Answer(
        "additive_attention",
        "context computed in place on h",
        """
def additive_attention(h, W, b):
    alpha = softmax(np.tanh(h @ W + b)[:, :, 0], axis=1)
    h *= alpha[:, :, np.newaxis]
    return h.sum(axis=1), alpha
""",
        diagnostic="changed its input 'h' in place",
    ),
    Answer(
        "additive_attention",
        "softmax over the batch",
        """
def additive_attention(h, W, b):
    e = np.tanh(h @ W + b)[:, :, 0]
    alpha = softmax(e, axis=0)
    context = np.sum(alpha[:, :, np.newaxis] * h, axis=1)
    return context, alpha
""",
        diagnostic="softmax taken over the batch axis",
    ),
    Answer(
        "additive_attention",
        "softmax over the length-1 axis",
        """
def additive_attention(h, W, b):
    e = np.tanh(h @ W + b)  # (N, T, 1)
    alpha = softmax(e)[:, :, 0]
    context = np.sum(alpha[:, :, np.newaxis] * h, axis=1)
    return context, alpha
""",
        diagnostic="every weight is 1",
    ),
    Answer(
        "additive_attention",
        "no tanh",
        """
def additive_attention(h, W, b):
    e = (h @ W + b)[:, :, 0]
    alpha = softmax(e, axis=1)
    context = np.sum(alpha[:, :, np.newaxis] * h, axis=1)
    return context, alpha
""",
        diagnostic="the tanh is missing",
    ),
    Answer(
        "additive_attention",
        "no tanh, naive softmax",
        """
def additive_attention(h, W, b):
    e = np.exp(np.squeeze(h @ W + b, axis=2))
    alpha = e / e.sum(axis=1, keepdims=True)
    context = np.sum(alpha[:, :, np.newaxis] * h, axis=1)
    return context, alpha
""",
        diagnostic="the tanh is missing",
    ),
    Answer(
        "additive_attention",
        "context over the feature axis",
        """
def additive_attention(h, W, b):
    e = np.tanh(h @ W + b)[:, :, 0]
    alpha = softmax(e, axis=1)
    context = np.sum(alpha[:, :, np.newaxis] * h, axis=2)
    return context, alpha
""",
        diagnostic="summed over the feature axis",
    ),
    Answer(
        "additive_attention",
        "context over the batch",
        """
def additive_attention(h, W, b):
    e = np.tanh(h @ W + b)[:, :, 0]
    alpha = softmax(e, axis=1)
    context = np.sum(alpha[:, :, np.newaxis] * h, axis=0)
    return context, alpha
""",
        diagnostic="summed over the batch axis",
    ),
    Answer(
        "additive_attention",
        "bias forgotten",
        """
def additive_attention(h, W, b):
    e = np.tanh(h @ W)[:, :, 0]
    alpha = softmax(e, axis=1)
    return np.einsum("nt,nth->nh", alpha, h), alpha
""",
        diagnostic="the bias b is not added",
    ),
    Answer(
        "additive_attention",
        "reshape as in the source, own stable softmax",
        """
def additive_attention(h, W, b):
    \"\"\"h: (N, T, H), W: (H, 1), b: (1,) -> context (N, H), alpha (N, T).\"\"\"
    N, T, H = h.shape
    e = np.tanh(h.reshape(N * T, H) @ W + b).reshape(N, T)
    e = np.exp(e - e.max(axis=1, keepdims=True))
    alpha = e / e.sum(axis=1, keepdims=True)
    context = (alpha[:, np.newaxis, :] @ h)[:, 0, :]
    return context, alpha
""",
    ),
    Answer(
        "additive_attention",
        "einsum, naive exp (safe after tanh)",
        """
def additive_attention(h, W, b):
    e = np.tanh(np.einsum("nth,h->nt", h, W[:, 0]) + b[0])
    weights = np.exp(e)
    alpha = weights / weights.sum(axis=1, keepdims=True)
    return np.einsum("nt,nth->nh", alpha, h), alpha
""",
    ),
]

DECODER = [
    Answer(
        "encoder_decoder_attention",
        "s_prev tiled over the wrong axis",
        """
def encoder_decoder_attention(a, s_prev, W_e, b_e, v):
    N, Tx, _ = a.shape
    s_repeated = np.tile(s_prev, (Tx, 1)).reshape(N, Tx, -1)
    concat = np.concatenate([a, s_repeated], axis=2)
    alpha = softmax(np.tanh(concat @ W_e + b_e) @ v, axis=1)
    return np.einsum("ni,nia->na", alpha, a), alpha
""",
        diagnostic="s_prev is tiled over the wrong axis",
    ),
    Answer(
        "encoder_decoder_attention",
        "concatenation order [s_prev, a]",
        """
def encoder_decoder_attention(a, s_prev, W_e, b_e, v):
    N, Tx, _ = a.shape
    s_repeated = np.repeat(s_prev[:, np.newaxis, :], Tx, axis=1)
    concat = np.concatenate([s_repeated, a], axis=2)
    alpha = softmax(np.tanh(concat @ W_e + b_e) @ v, axis=1)
    return np.einsum("ni,nia->na", alpha, a), alpha
""",
        diagnostic="the concatenation order is [s_prev, a_i]",
    ),
    Answer(
        "encoder_decoder_attention",
        "energies without tanh",
        """
def encoder_decoder_attention(a, s_prev, W_e, b_e, v):
    N, Tx, _ = a.shape
    s_repeated = np.repeat(s_prev[:, np.newaxis, :], Tx, axis=1)
    concat = np.concatenate([a, s_repeated], axis=2)
    alpha = softmax((concat @ W_e + b_e) @ v, axis=1)
    return np.einsum("ni,nia->na", alpha, a), alpha
""",
        diagnostic="the tanh is missing",
    ),
    Answer(
        "encoder_decoder_attention",
        "energies: softmax over the batch",
        """
def encoder_decoder_attention(a, s_prev, W_e, b_e, v):
    N, Tx, _ = a.shape
    s_repeated = np.repeat(s_prev[:, np.newaxis, :], Tx, axis=1)
    concat = np.concatenate([a, s_repeated], axis=2)
    alpha = softmax(np.tanh(concat @ W_e + b_e) @ v, axis=0)
    return np.einsum("ni,nia->na", alpha, a), alpha
""",
        diagnostic="softmax taken over the batch axis",
    ),
    Answer(
        "encoder_decoder_attention",
        "context summed over the batch",
        """
def encoder_decoder_attention(a, s_prev, W_e, b_e, v):
    N, Tx, _ = a.shape
    s_repeated = np.repeat(s_prev[:, np.newaxis, :], Tx, axis=1)
    concat = np.concatenate([a, s_repeated], axis=2)
    alpha = softmax(np.tanh(concat @ W_e + b_e) @ v, axis=1)
    return np.sum(alpha[:, :, np.newaxis] * a, axis=0), alpha
""",
        diagnostic="context is summed over the batch axis",
    ),
    Answer(
        "encoder_decoder_attention",
        "naive softmax",
        """
def encoder_decoder_attention(a, s_prev, W_e, b_e, v):
    N, Tx, _ = a.shape
    s_repeated = np.repeat(s_prev[:, np.newaxis, :], Tx, axis=1)
    concat = np.concatenate([a, s_repeated], axis=2)
    e = np.exp(np.tanh(concat @ W_e + b_e) @ v)
    alpha = e / e.sum(axis=1, keepdims=True)
    return np.einsum("ni,nia->na", alpha, a), alpha
""",
        diagnostic="inf / inf (np.exp overflowed)",
    ),
    Answer(
        "encoder_decoder_attention",
        "loop over the encoder steps",
        """
def encoder_decoder_attention(a, s_prev, W_e, b_e, v):
    N, Tx, _ = a.shape
    energies = np.empty((N, Tx))
    for i in range(Tx):
        concat = np.concatenate([a[:, i, :], s_prev], axis=1)
        energies[:, i] = np.tanh(concat @ W_e + b_e) @ v
    alpha = softmax(energies, axis=1)
    return np.einsum("ni,nia->na", alpha, a), alpha
""",
        diagnostic="it loops over the encoder steps",
        hidden_only="right values: only the lines run for Tx = 2 and Tx = 12 (hidden) show it",
    ),
    Answer(
        "encoder_decoder_attention",
        "bias after the tanh",
        """
def encoder_decoder_attention(a, s_prev, W_e, b_e, v):
    N, Tx, _ = a.shape
    s_repeated = np.broadcast_to(s_prev[:, None], (N, Tx, s_prev.shape[1]))
    concat = np.concatenate([a, s_repeated], axis=2)
    alpha = softmax((np.tanh(concat @ W_e) + b_e) @ v, axis=1)
    return np.einsum("ni,nia->na", alpha, a), alpha
""",
        diagnostic="b_e is added after the tanh",
    ),
    Answer(
        "encoder_decoder_attention",
        "split W_e, no concatenation",
        """
def encoder_decoder_attention(a, s_prev, W_e, b_e, v):
    \"\"\"a: (N, Tx, A), s_prev: (N, S) -> context (N, A), alpha (N, Tx).\"\"\"
    A = a.shape[2]
    # concat[a_i, s] @ W_e == a_i @ W_e[:A] + s @ W_e[A:]
    u = np.tanh(a @ W_e[:A] + (s_prev @ W_e[A:] + b_e)[:, np.newaxis, :])
    e = u @ v
    e = e - e.max(axis=1, keepdims=True)
    alpha = np.exp(e) / np.exp(e).sum(axis=1, keepdims=True)
    return (alpha[:, :, np.newaxis] * a).sum(axis=1), alpha
""",
    ),
    Answer(
        "encoder_decoder_attention",
        "repeat and einsum",
        """
def encoder_decoder_attention(a, s_prev, W_e, b_e, v):
    N, Tx, A = a.shape
    concat = np.concatenate([a, np.repeat(s_prev[:, np.newaxis, :], Tx, axis=1)], axis=-1)
    e = np.einsum("nie,e->ni", np.tanh(np.einsum("nik,ke->nie", concat, W_e) + b_e), v)
    alpha = softmax(e, axis=-1)
    context = np.matmul(alpha[:, np.newaxis, :], a).squeeze(axis=1)
    return context, alpha
""",
    ),
]

LOOP_RULE = [
    Answer(
        "encoder_decoder_attention",
        "the max of all the energies subtracted, not each row's",
        """
def encoder_decoder_attention(a, s_prev, W_e, b_e, v):
    N, Tx, _ = a.shape
    s_repeated = np.repeat(s_prev[:, np.newaxis, :], Tx, axis=1)
    e = np.tanh(np.concatenate([a, s_repeated], axis=2) @ W_e + b_e) @ v
    exp = np.exp(e - e.max())
    alpha = exp / exp.sum(axis=1, keepdims=True)
    return np.einsum("ni,nia->na", alpha, a), alpha
""",
        diagnostic="0 / 0 (every np.exp of a row underflowed)",
    ),
    Answer(
        "encoder_decoder_attention",
        "loop over the encoder steps in a module-level helper",
        """
def _energy(a_i, s_prev, W_e, b_e, v):
    return np.tanh(np.concatenate([a_i, s_prev], axis=1) @ W_e + b_e) @ v


def encoder_decoder_attention(a, s_prev, W_e, b_e, v):
    energies = np.stack([_energy(a[:, i], s_prev, W_e, b_e, v) for i in range(a.shape[1])], 1)
    alpha = softmax(energies, axis=1)
    return np.einsum("ni,nia->na", alpha, a), alpha
""",
        diagnostic="it loops over the encoder steps",
        hidden_only="right values: only the lines run for Tx = 2 and Tx = 12 (hidden) show it",
    ),
    Answer(
        "encoder_decoder_attention",
        "map with a lambda over the encoder steps",
        """
def encoder_decoder_attention(a, s_prev, W_e, b_e, v):
    step = lambda a_i: np.tanh(np.concatenate([a_i, s_prev], axis=1) @ W_e + b_e) @ v
    energies = np.stack(list(map(step, a.transpose(1, 0, 2))), axis=1)
    alpha = softmax(energies, axis=1)
    return np.einsum("ni,nia->na", alpha, a), alpha
""",
        diagnostic="it loops over the encoder steps",
        hidden_only="right values: only the lines run for Tx = 2 and Tx = 12 (hidden) show it",
    ),
    Answer(
        "encoder_decoder_attention",
        "vectorised, with a generator expression checking the shapes",
        """
def encoder_decoder_attention(a, s_prev, W_e, b_e, v):
    assert all(array.ndim == rank for array, rank in ((a, 3), (s_prev, 2), (v, 1)))
    N, Tx, _ = a.shape
    s_all = np.repeat(s_prev[:, None, :], Tx, axis=1)
    energies = np.tanh(np.concatenate([a, s_all], axis=-1) @ W_e + b_e) @ v
    alpha = softmax(energies, axis=1)
    return (alpha[:, :, None] * a).sum(axis=1), alpha
""",
    ),
]

ANSWERS = ENCODE + ADDITIVE + DECODER + LOOP_RULE
