"""Hidden tests of lesson 01, RNN forward propagation.

Called from the hidden regions of `solutions/01_rnn_forward.ipynb`; the reference answers
are that notebook's own solution cells.
"""

import numpy as np

from grader_tests.grading import (
    Exercise,
    expect_finite,
    expect_match,
    expect_results,
    random_sizes,
)
from rnnlab import functions, layers, recurrent
from rnnlab.params import rnn_params
from rnnlab.testing import CheckFailed, expect_close, expect_unchanged

LESSON = "01_rnn_forward"

SOFTMAX = Exercise(
    LESSON, "softmax", points=2, not_allowed=(functions.softmax, layers.Softmax)
)
LIBRARY_RNN = (recurrent.rnn_step, recurrent.rnn_sequence)
RNN_CELL = Exercise(
    LESSON, "rnn_cell_forward", points=3, helpers=("softmax",), not_allowed=LIBRARY_RNN
)
RNN_FORWARD = Exercise(
    LESSON,
    "rnn_forward",
    points=3,
    helpers=("softmax", "rnn_cell_forward"),
    not_allowed=LIBRARY_RNN,
)
EXERCISES = (SOFTMAX, RNN_CELL, RNN_FORWARD)


def _softmax_mistakes(z, ref) -> dict:
    return {
        "softmax taken over axis 0 (the batch) instead of the last axis": ref.softmax(z.T).T,
        "np.exp(z) is not divided by its sum": np.exp(z - z.max(axis=-1, keepdims=True)),
        "normalised by the sum over the whole array instead of each row": np.exp(z)
        / np.exp(z).sum(),
    }


def _check_softmax(softmax, ref, z) -> None:
    expect_match("softmax(z)", softmax(z), ref.softmax(z), _softmax_mistakes(z, ref))


def _wide_rows(seed: int) -> np.ndarray:
    """Scores (4, 5) whose rows span more than 710 (np.exp overflows past 709.78): one large
    score per row and rows far apart, so only a shift by each row's own max keeps every
    exponential finite and the largest one equal to 1."""
    rng = np.random.default_rng(seed)
    z = 3 * rng.standard_normal((4, 5))
    z[np.arange(4), [1, 3, 0, 4]] += [1000.0, 2000.0, -1500.0, 800.0]
    return z + np.array([[0.0], [-3000.0], [500.0], [-50.0]])


def _shifted_softmax(z, shift=0.0):
    """Softmax of the last axis with `shift` subtracted before np.exp (0: the naive one)."""
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        exp = np.exp(z - shift)
        return exp / exp.sum(axis=-1, keepdims=True)


def _check_large(softmax, ref, z) -> None:
    def row(statistic):
        return statistic(z, axis=-1, keepdims=True)

    mistakes = {
        "the max is not subtracted before np.exp, so exp overflows": _shifted_softmax(z),
        "the max of the whole array is subtracted, not each row's: a row far below it "
        "underflows to 0 / 0": _shifted_softmax(z, z.max()),
        "each row's minimum is subtracted, not its max: exp overflows": _shifted_softmax(
            z, row(np.min)
        ),
        "each row's mean is subtracted, not its max: exp overflows": _shifted_softmax(
            z, row(np.mean)
        ),
    }
    y = softmax(z)
    expect_match("softmax(z)", y, ref.softmax(z), mistakes)
    expect_finite("softmax(z)", y)


VALUES_CASE = SOFTMAX.public(
    "a batch of random scores (4, 6)",
    _check_softmax,
    lambda: (np.random.default_rng(11).standard_normal((4, 6)),),
)
WIDE_CASE = SOFTMAX.public("rows that span more than 710 (e.g. 0 and 1000)", _check_large,
                           lambda: (_wide_rows(15),))  # fmt: skip


@SOFTMAX.part("values on a batch of random scores (N, K)", weight=2)
def _softmax_values(softmax, ref):
    VALUES_CASE.run(softmax, ref)


@SOFTMAX.part("large scores stay finite: around 1e4, and rows that span more than 710")
def _softmax_large(softmax, ref):
    WIDE_CASE.run(softmax, ref)
    _check_large(softmax, ref, 1e4 + 50 * np.random.default_rng(12).standard_normal((3, 5)))


@SOFTMAX.part("3-D scores (N, T, V): softmax over the last axis")
def _softmax_3d(softmax, ref):
    z = np.random.default_rng(13).standard_normal((2, 3, 4))
    mistakes = {
        "softmax taken over the wrong axis": ref.softmax(z.transpose(0, 2, 1)).transpose(0, 2, 1)
    }
    expect_match("softmax(z)", softmax(z), ref.softmax(z), mistakes)


@SOFTMAX.part("the input z is not modified")
def _softmax_pure(softmax, ref):
    z = np.random.default_rng(14).standard_normal((3, 4))
    before = z.copy()
    softmax(z)
    expect_unchanged("z", before, z)


def _cell_case(seed: int, N: int | None = None, scale: float = 0.5):
    rng = np.random.default_rng(seed)
    sizes = random_sizes(rng, "N D H V") if N is None else {"N": N, **random_sizes(rng, "D H V")}
    params = rnn_params(rng, sizes["D"], sizes["H"], sizes["V"], scale=scale)
    x_t = rng.standard_normal((sizes["N"], sizes["D"]))
    h_prev = rng.standard_normal((sizes["N"], sizes["H"]))
    return x_t, h_prev, params


def _cell_mistakes(x_t, h_prev, p, ref) -> dict:
    def cell(act=np.tanh, W_h=p["W_h"], b=p["b"]):
        return act(x_t @ p["W_x"] + h_prev @ W_h + b)

    sigmoid_h = 1 / (1 + np.exp(-(x_t @ p["W_x"] + h_prev @ p["W_h"] + p["b"])))
    return {
        "h_next": {
            "sigmoid used instead of tanh": sigmoid_h,
            "the bias b is missing": cell(b=0.0),
            "W_h is transposed (h_prev @ W_h.T)": cell(W_h=p["W_h"].T),
            "h_prev is not used": cell(W_h=0.0 * p["W_h"]),
        },
        "y_t": {
            "y_t is not passed through softmax": cell() @ p["W_y"] + p["b_y"],
            "y_t is computed from h_prev instead of h_next": ref.softmax(
                h_prev @ p["W_y"] + p["b_y"]
            ),
            "the bias b_y is missing": ref.softmax(cell() @ p["W_y"]),
            "softmax taken over the batch axis": ref.softmax((cell() @ p["W_y"] + p["b_y"]).T).T,
        },
    }


def _check_cell(rnn_cell_forward, ref, x_t, h_prev, params) -> None:
    outputs = rnn_cell_forward(x_t, h_prev, params)
    outputs = expect_results("rnn_cell_forward", outputs, ("h_next", "y_t", "cache"))
    h_expected, y_expected, _ = ref.rnn_cell_forward(x_t, h_prev, params)
    mistakes = _cell_mistakes(x_t, h_prev, params, ref)
    expect_match("h_next", outputs[0], h_expected, mistakes["h_next"])
    expect_match("y_t", outputs[1], y_expected, mistakes["y_t"])


CELL_CASE = RNN_CELL.public("h_prev not zero; N, D, H, V all different", _check_cell,
                            lambda: _cell_case(21))  # fmt: skip
LARGE_CELL_CASE = RNN_CELL.public("large weights (around 300)", _check_cell,
                                  lambda: _cell_case(24, scale=300.0))  # fmt: skip


@RNN_CELL.part("h_next and y_t on random sizes with D, H, V all different", weight=3)
def _cell_values(rnn_cell_forward, ref):
    CELL_CASE.run(rnn_cell_forward, ref)
    _check_cell(rnn_cell_forward, ref, *_cell_case(22))


@RNN_CELL.part("a batch of one sequence (N = 1)")
def _cell_single(rnn_cell_forward, ref):
    _check_cell(rnn_cell_forward, ref, *_cell_case(23, N=1))


@RNN_CELL.part("large weights: y_t stays finite")
def _cell_large(rnn_cell_forward, ref):
    LARGE_CELL_CASE.run(rnn_cell_forward, ref)


@RNN_CELL.part("cache = (x_t, h_prev, h_next, params) and inputs unchanged")
def _cell_cache(rnn_cell_forward, ref):
    x_t, h_prev, params = _cell_case(25)
    before = {"x_t": x_t.copy(), "h_prev": h_prev.copy()}
    before.update({name: value.copy() for name, value in params.items()})
    h_next, _, cache = rnn_cell_forward(x_t, h_prev, params)
    expect_close("cache[0] (x_t)", cache[0], x_t)
    expect_close("cache[1] (h_prev)", cache[1], h_prev)
    expect_close("cache[2] (h_next)", cache[2], h_next)
    for name, value in {"x_t": x_t, "h_prev": h_prev, **params}.items():
        expect_unchanged(name, before[name], value)


def _sequence_case(seed: int, T: int | None = None, N: int | None = None, scale: float = 0.5):
    rng = np.random.default_rng(seed)
    sizes = random_sizes(rng, "N T D H V")
    sizes.update({k: v for k, v in {"T": T, "N": N}.items() if v is not None})
    params = rnn_params(rng, sizes["D"], sizes["H"], sizes["V"], scale=scale)
    x = rng.standard_normal((sizes["N"], sizes["T"], sizes["D"]))
    h0 = rng.standard_normal((sizes["N"], sizes["H"]))
    return x, h0, params


def _sequence_mistakes(x, h0, params, ref) -> dict:
    steps = [ref.rnn_cell_forward(x[:, t], h0, params)[0] for t in range(x.shape[1])]
    h_expected = ref.rnn_forward(x, h0, params)[0]
    shifted = np.concatenate([h0[:, None], h_expected[:, :-1]], axis=1)
    last_missing = h_expected.copy()
    last_missing[:, -1] = 0.0
    return {
        "h_prev is not carried: every step starts again from h0": np.stack(steps, axis=1),
        "h[:, t] stores the state before step t instead of after it": shifted,
        "the loop stops one step early (range(T - 1))": last_missing,
    }


def _check_sequence(rnn_forward, ref, x, h0, params) -> None:
    N, T, _ = x.shape
    h, y, caches = expect_results("rnn_forward", rnn_forward(x, h0, params), ("h", "y", "caches"))
    h_expected, y_expected, _ = ref.rnn_forward(x, h0, params)
    if isinstance(h, np.ndarray) and h.shape == (T, N, h0.shape[1]) and T != N:
        raise CheckFailed(f"h has shape {h.shape} = (T, N, H); the course uses (N, T, H)")
    expect_match("h", h, h_expected, _sequence_mistakes(x, h0, params, ref))
    naive = _shifted_softmax(h_expected @ params["W_y"] + params["b_y"])
    overflow = "the max is not subtracted before np.exp in the softmax, so exp overflows"
    expect_match("y", y, y_expected, {overflow: naive})
    expect_finite("y", y)
    if len(caches) != T:
        raise CheckFailed(
            f"caches should hold one cache per time step ({T}), it holds {len(caches)}"
        )


SEQUENCE_CASE = RNN_FORWARD.public("h0 not zero; N, T, D, H, V all different",
                                   _check_sequence, lambda: _sequence_case(31))  # fmt: skip
LARGE_SEQUENCE_CASE = RNN_FORWARD.public("large weights (around 300)", _check_sequence,
                                         lambda: _sequence_case(36, scale=300.0))  # fmt: skip


@RNN_FORWARD.part("h (N, T, H) and y (N, T, V) on random sizes", weight=3)
def _forward_values(rnn_forward, ref):
    SEQUENCE_CASE.run(rnn_forward, ref)
    _check_sequence(rnn_forward, ref, *_sequence_case(32))


@RNN_FORWARD.part("large weights (around 300): y stays finite")
def _forward_large(rnn_forward, ref):
    LARGE_SEQUENCE_CASE.run(rnn_forward, ref)


@RNN_FORWARD.part("a sequence of one step (T = 1)")
def _forward_one_step(rnn_forward, ref):
    _check_sequence(rnn_forward, ref, *_sequence_case(33, T=1))


@RNN_FORWARD.part("a batch of one sequence (N = 1)")
def _forward_one_sequence(rnn_forward, ref):
    _check_sequence(rnn_forward, ref, *_sequence_case(34, N=1))


@RNN_FORWARD.part("caches[t] is the cell cache of step t, inputs unchanged")
def _forward_caches(rnn_forward, ref):
    x, h0, params = _sequence_case(35)
    before_x, before_h0 = x.copy(), h0.copy()
    h, _, caches = rnn_forward(x, h0, params)
    for t, cache in enumerate(caches):
        expect_close(f"caches[{t}][0] (x_t)", cache[0], x[:, t])
        expect_close(f"caches[{t}][2] (h_next)", cache[2], h[:, t])
    expect_unchanged("x", before_x, x)
    expect_unchanged("h0", before_h0, h0)

