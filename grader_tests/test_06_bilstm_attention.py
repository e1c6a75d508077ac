"""Hidden tests of lesson 06, attention over Bi-LSTM states.

Called from the hidden regions of `solutions/06_bilstm_attention.ipynb`; the reference
answers are that notebook's own solution cells. The three exercises are independent:
`bilstm_encode` gets the library's LSTM layers, the two attention functions get arrays.
"""

import numpy as np

from grader_tests.grading import (
    Exercise,
    expect_finite,
    expect_match,
    expect_results,
    random_sizes,
)
from grader_tests.layer_checks import call_own_data, expect_not_shaped
from rnnlab import softmax
from rnnlab.attention_decoder import AttentionDecoder
from rnnlab.layers import LSTM, BiLSTM
from rnnlab.testing import CheckFailed, expect_unchanged
from rnnlab.translator import DateTranslator, load_weights

LESSON = "06_bilstm_attention"

LIBRARY_MODEL = (BiLSTM, AttentionDecoder, DateTranslator, load_weights)
ENCODE = Exercise(LESSON, "bilstm_encode", points=3, not_allowed=LIBRARY_MODEL)
ADDITIVE = Exercise(LESSON, "additive_attention", points=3, not_allowed=LIBRARY_MODEL)
DECODER = Exercise(LESSON, "encoder_decoder_attention", points=4, not_allowed=LIBRARY_MODEL)
EXERCISES = (ENCODE, ADDITIVE, DECODER)

SOFTMAX_BATCH = "softmax taken over the batch axis (axis 0) instead of over time (axis 1)"


def _expect_finite(name, value, hint=""):
    try:
        expect_finite(name, value)
    except CheckFailed as failure:
        raise CheckFailed(f"{failure} (or use softmax(e, axis=1) from rnnlab){hint}") from None


# --- exercise 1: bilstm_encode ---------------------------------------------------------


def _encode_case(seed: int, **fixed):
    """x (N, T, D) and two float64 LSTM layers of hidden size H; sizes all different."""
    rng = np.random.default_rng(seed)
    sizes = {**random_sizes(rng, "N T D H"), **fixed}
    N, T, D, H = (sizes[k] for k in "NTDH")
    x = rng.standard_normal((N, T, D))
    return x, LSTM(D, H, rng, np.float64), LSTM(D, H, rng, np.float64)


def _check_encode(bilstm_encode, ref, x, lstm_fw, lstm_bw) -> None:
    outputs = call_own_data(
        bilstm_encode, "its arguments x, lstm_fw and lstm_bw", x.copy(), lstm_fw, lstm_bw
    )
    labels = ("hs", "h_fw", "c_fw", "h_bw", "c_bw")
    hs, h_fw, c_fw, h_bw, c_bw = expect_results("bilstm_encode", outputs, labels)
    expected = ref.bilstm_encode(x, lstm_fw, lstm_bw)
    N, T, _ = x.shape
    H = lstm_fw.params[1].shape[0]
    expect_not_shaped(
        "hs",
        hs,
        (N, T, 2 * H),
        {
            (N, 2 * T, H): "the two directions are concatenated along time (axis 1); "
            "concatenate along the feature axis (axis 2)",
            (2, N, T, H): "the two directions are stacked (np.stack) instead of concatenated "
            "along the feature axis (axis 2)",
            (N, T, H): "hs holds one direction only: concatenate forward and backward states",
        },
    )
    forward = lstm_fw.forward(x)
    backward_reversed = lstm_bw.forward(x[:, ::-1])
    mistakes = {
        "the backward outputs are not re-reversed: flip them back with [:, ::-1] so that "
        "hs[:, t] describes step t": np.concatenate([forward, backward_reversed], axis=2),
        "the directions are concatenated in the wrong order: forward states first, then "
        "backward": np.concatenate([backward_reversed[:, ::-1], forward], axis=2),
        "the backward LSTM reads x forwards (x[::-1] reverses the batch, not time): give "
        "it x[:, ::-1], reversed along time": (
            np.concatenate([forward, lstm_bw.forward(x)], axis=2)
        ),
        "lstm_fw is used for both directions: the backward direction has its own LSTM, "
        "lstm_bw": np.concatenate([forward, lstm_fw.forward(x[:, ::-1])[:, ::-1]], axis=2),
    }
    expect_match("hs", hs, expected[0], mistakes)
    bw_hint = (
        "h_bw and c_bw are the backward LSTM's final states (lstm_bw.h_last, lstm_bw.c_last), "
        "after it read step 0; hs[:, -1, H:] is its state after reading step T-1 only"
    )
    state_mistakes = {
        "h_fw": {"h_fw and h_bw are swapped": expected[3]},
        "c_fw": {
            "c_fw and c_bw are swapped": expected[4],
            "c_fw is a hidden state (h)": forward[:, -1],
        },
        "h_bw": {
            bw_hint: hs[:, -1, H:] if np.shape(hs) == (N, T, 2 * H) else expected[3],
            "h_fw and h_bw are swapped": expected[1],
        },
        "c_bw": {"c_fw and c_bw are swapped": expected[2]},
    }
    for name, actual, wanted in zip(
        labels[1:], (h_fw, c_fw, h_bw, c_bw), expected[1:], strict=True
    ):
        expect_not_shaped(name, actual, (N, H), {(N, 2 * H): f"{name} holds both directions"})
        expect_match(name, actual, wanted, state_mistakes[name])


ENCODE_CASE = ENCODE.public("N, T, D, H all different", _check_encode,
                            lambda: _encode_case(601))  # fmt: skip


@ENCODE.part("hs (N, T, 2H) and the four final states on random sizes", weight=2)
def _encode_values(bilstm_encode, ref):
    ENCODE_CASE.run(bilstm_encode, ref)
    _check_encode(bilstm_encode, ref, *_encode_case(602))


@ENCODE.part("edge sizes (T = 1, N = 1, H = 1, D = 1)")
def _encode_edges(bilstm_encode, ref):
    for seed, fixed in enumerate(({"T": 1}, {"N": 1}, {"H": 1}, {"D": 1}), start=603):
        _check_encode(bilstm_encode, ref, *_encode_case(seed, **fixed))


@ENCODE.part("x is not modified")
def _encode_pure(bilstm_encode, ref):
    x, lstm_fw, lstm_bw = _encode_case(607)
    before = x.copy()
    bilstm_encode(x, lstm_fw, lstm_bw)
    expect_unchanged("x", before, x)


# --- exercise 2: additive_attention ----------------------------------------------------


def _additive_case(seed: int, scale: float = 1.0, **fixed):
    """h (N, T, H), W (H, 1), b (1,)."""
    rng = np.random.default_rng(seed)
    sizes = {**random_sizes(rng, "N T H"), **fixed}
    N, T, H = (sizes[k] for k in "NTH")
    h = scale * rng.standard_normal((N, T, H))
    W = rng.standard_normal((H, 1)) / np.sqrt(H)
    b = rng.standard_normal(1)
    return h, W, b


def _check_additive(additive_attention, ref, h, W, b):
    outputs = call_own_data(
        additive_attention, "its arguments h, W and b", h.copy(), W.copy(), b.copy()
    )
    context, alpha = expect_results("additive_attention", outputs, ("context", "alpha"))
    N, T, H = h.shape
    if np.shape(context) == (N, T) and np.shape(alpha) == (N, H) and T != H:
        raise CheckFailed("additive_attention returned (alpha, context): return context first")
    expect_not_shaped(
        "alpha",
        alpha,
        (N, T),
        {
            (N, T, 1): "alpha keeps the last axis of h @ W, shape (N, T, 1): drop it "
            "([:, :, 0]) before the softmax, otherwise the softmax over that axis of length 1 "
            "gives 1 everywhere"
        },
    )
    linear = (h @ W + b)[:, :, 0]
    e = np.tanh(linear)
    mistakes = {
        SOFTMAX_BATCH: softmax(e, axis=0),
        "the softmax is taken over the last axis of the (N, T, 1) scores, which has length 1, "
        "so every weight is 1: drop that axis and take the softmax over time": np.ones((N, T)),
        "the tanh is missing: e = tanh(h @ W + b)": softmax(linear, axis=1),
        "the bias b is not added before the tanh": softmax(np.tanh((h @ W)[:, :, 0]), axis=1),
        "the weights are not normalised: divide exp(e) by its sum over time": np.exp(e),
    }
    expected_context, expected_alpha = ref.additive_attention(h, W, b)
    _expect_finite("alpha", alpha, ". With the tanh, e stays in [-1, 1]: is it missing?")
    expect_match("alpha", alpha, expected_alpha, mistakes)
    expect_not_shaped(
        "context",
        context,
        (N, H),
        {
            (N, T): "context is summed over the feature axis (axis 2); sum over time (axis 1)",
            (T, H): "context is summed over the batch axis (axis 0); sum over time (axis 1)",
            (N, T, H): "the weighted states alpha * h are not summed over time (axis 1)",
        },
    )
    expect_match(
        "context",
        context,
        expected_context,
        {
            "context is the plain mean of h over time: weight each step by alpha": h.mean(1),
            "context is the plain sum of h over time: weight each step by alpha": h.sum(1),
        },
    )


ADDITIVE_CASE = ADDITIVE.public("N, T, H all different", _check_additive,
                                lambda: _additive_case(611))  # fmt: skip
LARGE_ADDITIVE_CASE = ADDITIVE.public("large h (around 1000)", _check_additive,
                                      lambda: _additive_case(616, scale=1000.0))  # fmt: skip


@ADDITIVE.part("context (N, H) and alpha (N, T) on random sizes", weight=2)
def _additive_values(additive_attention, ref):
    ADDITIVE_CASE.run(additive_attention, ref)
    _check_additive(additive_attention, ref, *_additive_case(612))


@ADDITIVE.part("edge sizes (T = 1, N = 1, H = 1) and large h (tanh saturates, alpha finite)")
def _additive_edges(additive_attention, ref):
    for seed, fixed in enumerate(({"T": 1}, {"N": 1}, {"H": 1}), start=613):
        _check_additive(additive_attention, ref, *_additive_case(seed, **fixed))
    LARGE_ADDITIVE_CASE.run(additive_attention, ref)


@ADDITIVE.part("h, W and b are not modified")
def _additive_pure(additive_attention, ref):
    h, W, b = _additive_case(617)
    before = {"h": h.copy(), "W": W.copy(), "b": b.copy()}
    additive_attention(h, W, b)
    for name, value in {"h": h, "W": W, "b": b}.items():
        expect_unchanged(name, before[name], value)


# --- exercise 3: encoder_decoder_attention ---------------------------------------------


def _decoder_case(seed: int, v_scale: float = 1.0, **fixed):
    """a (N, Tx, A), s_prev (N, S), W_e (A + S, E), b_e (E,), v (E,); sizes all different."""
    rng = np.random.default_rng(seed)
    sizes = {**random_sizes(rng, "N T A S E"), **fixed}
    N, T, A, S, E = (sizes[k] for k in "NTASE")
    a = rng.standard_normal((N, T, A))
    s_prev = rng.standard_normal((N, S))
    W_e = rng.standard_normal((A + S, E)) / np.sqrt(A + S)
    b_e = rng.standard_normal(E)
    v = v_scale * rng.standard_normal(E)
    return a, s_prev, W_e, b_e, v


def _check_decoder(encoder_decoder_attention, ref, a, s_prev, W_e, b_e, v):
    arguments = tuple(array.copy() for array in (a, s_prev, W_e, b_e, v))
    source = "its arguments a, s_prev, W_e, b_e and v"
    outputs = call_own_data(encoder_decoder_attention, source, *arguments)
    context, alpha = expect_results("encoder_decoder_attention", outputs, ("context", "alpha"))
    N, Tx, A = a.shape
    S = s_prev.shape[1]
    if np.shape(context) == (N, Tx) and np.shape(alpha) == (N, A) and Tx != A:
        raise CheckFailed(
            "encoder_decoder_attention returned (alpha, context): return context first"
        )
    expect_not_shaped(
        "alpha",
        alpha,
        (N, Tx),
        {
            (N, Tx, 1): "alpha keeps a trailing axis of length 1: the energies are (N, Tx) "
            "after @ v",
            (N, Tx, W_e.shape[1]): "the tanh output is not multiplied by v: e = tanh(...) @ v",
        },
    )
    s_repeated = np.broadcast_to(s_prev[:, None, :], (N, Tx, S))
    tiled = np.tile(s_prev, (Tx, 1)).reshape(N, Tx, S)

    def energies(first, second, activation=np.tanh, bias_inside=True):
        linear = np.concatenate([first, second], axis=2) @ W_e
        if bias_inside:
            return activation(linear + b_e) @ v
        return (activation(linear) + b_e) @ v

    e = energies(a, s_repeated)
    mistakes = {
        SOFTMAX_BATCH: softmax(e, axis=0),
        "s_prev is tiled over the wrong axis: np.tile(s_prev, (Tx, 1)).reshape(N, Tx, S) mixes "
        "the rows of different sequences; use s_prev[:, np.newaxis, :] broadcast along axis 1": (
            softmax(energies(a, tiled), axis=1)
        ),
        "the concatenation order is [s_prev, a_i]; the rows of W_e expect [a_i, s_prev], "
        "a first": softmax(
            (np.tanh(np.concatenate([s_repeated, a], axis=2) @ W_e + b_e)) @ v, axis=1
        ),
        "the tanh is missing: e = tanh(concat @ W_e + b_e) @ v": softmax(
            energies(a, s_repeated, activation=lambda z: z), axis=1
        ),
        "b_e is added after the tanh; it belongs inside: tanh(concat @ W_e + b_e)": softmax(
            energies(a, s_repeated, bias_inside=False), axis=1
        ),
        "the energies are not normalised: alpha is the softmax of e over the encoder steps": e,
    }
    expected_context, expected_alpha = ref.encoder_decoder_attention(a, s_prev, W_e, b_e, v)
    _expect_finite("alpha", alpha)
    expect_match("alpha", alpha, expected_alpha, mistakes)
    expect_not_shaped(
        "context",
        context,
        (N, A),
        {
            (N, Tx): "context is summed over the feature axis (axis 2); sum over the encoder "
            "steps (axis 1)",
            (Tx, A): "context is summed over the batch axis (axis 0); sum over the encoder "
            "steps (axis 1)",
            (N, Tx, A): "the weighted states alpha * a are not summed over the encoder steps",
            (N, A + S): "context is a weighted sum of the concatenations [a_i, s_prev]; it is "
            "the weighted sum of the encoder states a only",
        },
    )
    expect_match(
        "context",
        context,
        expected_context,
        {"context is the plain mean of a over time: weight each step by alpha": a.mean(1)},
    )


DECODER_CASE = DECODER.public("N, Tx, A, S, E all different; W_e not symmetric",
                              _check_decoder, lambda: _decoder_case(621))  # fmt: skip
LARGE_DECODER_CASE = DECODER.public("large energies (v around 2000)", _check_decoder,
                                    lambda: _decoder_case(627, v_scale=2000.0))  # fmt: skip


@DECODER.part("context (N, A) and alpha (N, Tx) on random sizes", weight=2)
def _decoder_values(encoder_decoder_attention, ref):
    DECODER_CASE.run(encoder_decoder_attention, ref)
    _check_decoder(encoder_decoder_attention, ref, *_decoder_case(622))


@DECODER.part("edge sizes (Tx = 1, N = 1, S = 1, E = 1) and large energies (alpha finite)")
def _decoder_edges(encoder_decoder_attention, ref):
    for seed, fixed in enumerate(({"T": 1}, {"N": 1}, {"S": 1}, {"E": 1}), start=623):
        _check_decoder(encoder_decoder_attention, ref, *_decoder_case(seed, **fixed))
    LARGE_DECODER_CASE.run(encoder_decoder_attention, ref)


@DECODER.part("no Python loop: all Tx energies come from one batched product")
def _decoder_vectorised(encoder_decoder_attention, ref):
    counts = {}
    for steps in (2, 12):
        _, counts[steps] = encoder_decoder_attention.traced(*_decoder_case(629, T=steps))
    if counts[12] > counts[2]:
        raise CheckFailed(
            f"encoder_decoder_attention runs {counts[2]} lines of your code for Tx = 2 and "
            f"{counts[12]} for Tx = 12: it loops over the encoder steps (a for or while loop, "
            "a comprehension, map or recursion, maybe in a helper). Broadcast s_prev along "
            "time, concatenate with a, and compute the energies of all Tx steps with one "
            "product concat @ W_e"
        )


@DECODER.part("a, s_prev, W_e, b_e and v are not modified")
def _decoder_pure(encoder_decoder_attention, ref):
    arrays = _decoder_case(628)
    names = ("a", "s_prev", "W_e", "b_e", "v")
    before = [array.copy() for array in arrays]
    encoder_decoder_attention(*arrays)
    for name, old, new in zip(names, before, arrays, strict=True):
        expect_unchanged(name, old, new)

