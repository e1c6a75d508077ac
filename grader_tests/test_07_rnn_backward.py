"""Hidden tests of lesson 07, backpropagation through time for the RNN.

Called from the hidden regions of `solutions/07_rnn_backward.ipynb`; the reference answers
are that notebook's own solution cells. The caches come from the course library's forward
pass (`rnnlab.recurrent`), so a backward exercise never depends on another answer. Every
check calls the student's function with arrays, lists, tuples and dicts only.
"""

import numpy as np

from grader_tests.bptt_checks import (
    expect_grads,
    expect_inputs_unchanged,
    expect_numerical_ok,
    loop_mistakes,
    through_time,
)
from grader_tests.grading import Exercise, random_sizes
from rnnlab.optim import clip_grad_norm
from rnnlab.params import rnn_params
from rnnlab.recurrent import rnn_sequence, rnn_step
from rnnlab.testing import CheckFailed

LESSON = "07_rnn_backward"

CELL = Exercise(LESSON, "rnn_cell_backward", points=4)
BACKWARD = Exercise(LESSON, "rnn_backward", points=4, helpers=("rnn_cell_backward",))
CLIP = Exercise(LESSON, "clip_gradients", points=2, not_allowed=(clip_grad_norm,))
EXERCISES = (CELL, BACKWARD, CLIP)

WEIGHTS = ("W_x", "W_h", "b")


def _weights(params: dict) -> dict:
    return {name: params[name] for name in WEIGHTS}


# --- exercise 1: rnn_cell_backward -----------------------------------------------------


def _cell_case(seed: int, **fixed) -> tuple:
    """(dh_next (N, H), cache of rnn_step); N, D, H all different unless fixed."""
    rng = np.random.default_rng(seed)
    sizes = {**random_sizes(rng, "N D H"), **fixed}
    params = rnn_params(rng, sizes["D"], sizes["H"], V=2)
    x_t = rng.standard_normal((sizes["N"], sizes["D"]))
    h_prev = np.tanh(rng.standard_normal((sizes["N"], sizes["H"])))
    _, cache = rnn_step(x_t, h_prev, params)
    return rng.standard_normal((sizes["N"], sizes["H"])), cache


def _step_grads(da, x_t, h_state, params, W_h=None) -> dict:
    """The gradients of a step from da: (N, H), with dW_h taken from h_state: (N, H)."""
    W_h = params["W_h"] if W_h is None else W_h
    return {
        "dx_t": da @ params["W_x"].T,
        "dh_prev": da @ W_h.T,
        "dW_x": x_t.T @ da,
        "dW_h": h_state.T @ da,
        "db": da.sum(axis=0),
    }


def _cell_mistakes(dh_next, cache) -> dict:
    x_t, h_prev, h_next, params = cache
    da = dh_next * (1 - h_next**2)
    return {
        "tanh' is missing: da = dh_next * (1 - h_next**2), not dh_next": _step_grads(
            dh_next, x_t, h_prev, params
        ),
        "tanh' taken at h_prev: the derivative of this step is 1 - h_next**2": _step_grads(
            dh_next * (1 - h_prev**2), x_t, h_prev, params
        ),
        "tanh' computed as 1 - tanh(h_next)**2: h_next is already tanh(a), so tanh'(a) = "
        "1 - h_next**2": _step_grads(dh_next * (1 - np.tanh(h_next) ** 2), x_t, h_prev, params),
        "dW_h uses h_next: W_h multiplies h_prev, so dW_h = h_prev.T @ da": _step_grads(
            da, x_t, h_next, params
        ),
        "dh_prev uses W_h instead of its transpose: dh_prev = da @ W_h.T": _step_grads(
            da, x_t, h_prev, params, W_h=params["W_h"].T
        ),
        "db is the mean over the batch; the gradient of a shared bias is the sum": {
            "db": da.mean(axis=0)
        },
        "dW_x is transposed (da.T @ x_t); dW_x = x_t.T @ da has the shape of W_x": {
            "dW_x": da.T @ x_t
        },
    }


def _cell_shapes(N: int, D: int, H: int) -> dict:
    return {
        "dW_x": {(H, D): "dW_x is transposed: x_t.T @ da has the shape of W_x, (D, H)"},
        "db": {
            (N, H): "db is not summed over the batch (axis 0)",
            (N,): "db is summed over the hidden units (axis 1) instead of the batch (axis 0)",
            (1, H): "db keeps the batch axis (keepdims=True); it has the shape of b, (H,)",
        },
        "dx_t": {(N, H): "dx_t should have the shape of x_t: multiply da by W_x.T"},
    }


def _check_cell(rnn_cell_backward, ref, dh_next, cache) -> None:
    expected = ref.rnn_cell_backward(dh_next, cache)
    mistakes = _cell_mistakes(dh_next, cache)
    grads = rnn_cell_backward(dh_next.copy(), cache)
    N, D = cache[0].shape
    shapes = _cell_shapes(N, D, dh_next.shape[1])
    expect_grads("rnn_cell_backward", grads, expected, mistakes, shapes)


CELL_CASE = CELL.public("N, D, H all different", _check_cell, lambda: _cell_case(701))


@CELL.part("every gradient on random sizes with N, D, H all different", weight=3)
def _cell_values(rnn_cell_backward, ref):
    CELL_CASE.run(rnn_cell_backward, ref)
    _check_cell(rnn_cell_backward, ref, *_cell_case(702))


@CELL.part("numerical gradients of x_t, h_prev, W_x, W_h, b (rnnlab.gradcheck), D != H")
def _cell_numerical(rnn_cell_backward, ref):
    dh_next, (x_t, h_prev, _, params) = _cell_case(703, N=2, D=3, H=4)
    inputs = {"x_t": x_t, "h_prev": h_prev}
    expect_numerical_ok(rnn_step, rnn_cell_backward, inputs, dh_next, _weights(params))


@CELL.part("a batch of one sequence with one unit (N = 1, H = 1)")
def _cell_small(rnn_cell_backward, ref):
    _check_cell(rnn_cell_backward, ref, *_cell_case(704, N=1, H=1))


@CELL.part("dh_next and the arrays of the cache are not modified")
def _cell_pure(rnn_cell_backward, ref):
    dh_next, cache = _cell_case(705)
    x_t, h_prev, h_next, params = cache
    arrays = {"dh_next": dh_next, "x_t": x_t, "h_prev": h_prev, "h_next": h_next, **params}
    expect_inputs_unchanged(lambda: rnn_cell_backward(dh_next, cache), arrays)


# --- exercise 2: rnn_backward ----------------------------------------------------------


def _sequence_case(seed: int, **fixed) -> tuple:
    """(dh (N, T, H), caches of rnn_sequence, x, h0, params); sizes all different."""
    rng = np.random.default_rng(seed)
    sizes = {**random_sizes(rng, "N T D H"), **fixed}
    N, T, D, H = (sizes[k] for k in "NTDH")
    params = rnn_params(rng, D, H, V=2)
    x, h0 = rng.standard_normal((N, T, D)), np.tanh(rng.standard_normal((N, H)))
    _, caches = rnn_sequence(x, h0, params)
    return rng.standard_normal((N, T, H)), caches, x, h0, params


def _sequence_mistakes(dh, caches, ref) -> dict:
    def run(**switches):
        return through_time(ref.rnn_cell_backward, dh, caches, **switches)

    return {
        "the gradient dh_prev is not carried to the step before: each step sees only dh[:, t]": (
            run(carried=())
        ),
        **loop_mistakes(run),
    }


def _sequence_shapes(N: int, T: int, D: int, H: int) -> dict:
    per_step = "holds one gradient per step: sum the steps' gradients instead"
    return {
        "dx": {
            (T, N, D): "dx is time-major (T, N, D); the course uses (N, T, D)",
            (N, D): "dx holds one step only; it needs every step, (N, T, D)",
        },
        "dW_x": {(T, D, H): f"dW_x {per_step}"},
        "dW_h": {(T, H, H): f"dW_h {per_step}"},
        "db": {(T, H): f"db {per_step}"},
    }


def _check_sequence(rnn_backward, ref, dh, caches) -> None:
    expected = ref.rnn_backward(dh, caches)
    mistakes = _sequence_mistakes(dh, caches, ref)
    grads = rnn_backward(dh.copy(), list(caches))
    N, T, H = dh.shape
    shapes = _sequence_shapes(N, T, caches[0][0].shape[1], H)
    expect_grads("rnn_backward", grads, expected, mistakes, shapes)


BACKWARD_CASE = BACKWARD.public("several steps; N, T, D, H all different", _check_sequence,
                                lambda: _sequence_case(711)[:2])  # fmt: skip


@BACKWARD.part("dx, dh0 and the weight gradients on random sizes, N, T, D, H different", weight=3)
def _backward_values(rnn_backward, ref):
    BACKWARD_CASE.run(rnn_backward, ref)
    _check_sequence(rnn_backward, ref, *_sequence_case(712)[:2])


@BACKWARD.part("numerical gradients of x, h0, W_x, W_h, b (rnnlab.gradcheck), D != H")
def _backward_numerical(rnn_backward, ref):
    dh, _, x, h0, params = _sequence_case(713, N=2, T=3, D=3, H=2)
    expect_numerical_ok(rnn_sequence, rnn_backward, {"x": x, "h0": h0}, dh, _weights(params))


@BACKWARD.part("a loss on the last state only: its gradient reaches h0 through every step")
def _backward_last_state(rnn_backward, ref):
    dh, caches = _sequence_case(714, T=6)[:2]
    dh[:, :-1] = 0.0
    _check_sequence(rnn_backward, ref, dh, caches)


@BACKWARD.part("a sequence of one step (T = 1)")
def _backward_one_step(rnn_backward, ref):
    _check_sequence(rnn_backward, ref, *_sequence_case(715, T=1)[:2])


@BACKWARD.part("dh and the arrays of the caches are not modified")
def _backward_pure(rnn_backward, ref):
    dh, caches, x, h0, params = _sequence_case(716)
    arrays = {"dh": dh, "x": x, "h0": h0, **params}
    for t, (_, _, h_next, _) in enumerate(caches):
        arrays[f"caches[{t}][2] (h_next)"] = h_next
    expect_inputs_unchanged(lambda: rnn_backward(dh, caches), arrays)


# --- exercise 3: clip_gradients --------------------------------------------------------


def _clip_case(seed: int, scale: float) -> dict:
    """Gradients of an RNN of random sizes, drawn with standard deviation `scale`."""
    rng = np.random.default_rng(seed)
    sizes = random_sizes(rng, "D H")
    D, H = sizes["D"], sizes["H"]
    shapes = {"dW_x": (D, H), "dW_h": (H, H), "db": (H,)}
    return {name: scale * rng.standard_normal(shape) for name, shape in shapes.items()}


def _norm(arrays) -> np.float64:
    """The global norm of the arrays, a NumPy float: a division by a zero norm gives inf."""
    return np.sqrt(sum(np.sum(a**2) for a in arrays))


def _scaled(grads: dict, factor: float) -> dict:
    return {name: g * factor for name, g in grads.items()}


def _clip_mistakes(grads: dict, max_norm: float) -> dict:
    norm = _norm(grads.values())
    return {
        "each array is clipped to max_norm on its own; one factor, from the global norm of "
        "all the arrays together, keeps the direction": {
            name: g * min(1.0, max_norm / _norm([g])) for name, g in grads.items()
        },
        "the elements are clipped to [-max_norm, max_norm] (np.clip); scale every array by "
        "min(1, max_norm / global norm)": {
            name: np.clip(g, -max_norm, max_norm) for name, g in grads.items()
        },
        "the norm has no square root: it is sqrt(sum of the squares)": _scaled(
            grads, min(1.0, max_norm / norm**2)
        ),
        "the arrays are always scaled to max_norm; they change only when the norm is larger": (
            _scaled(grads, max_norm / norm)
        ),
        "the norms of the arrays are added up; the global norm is the square root of the sum "
        "of all the squares": _scaled(
            grads, min(1.0, max_norm / sum(_norm([g]) for g in grads.values()))
        ),
    }


def _zero_case() -> dict:
    return {name: np.zeros_like(g) for name, g in _clip_case(724, scale=1.0).items()}


def _check_clip(clip_gradients, ref, grads: dict, max_norm: float) -> None:
    expected = ref.clip_gradients(grads, max_norm)
    mistakes = _clip_mistakes(grads, max_norm)
    copies = {name: g.copy() for name, g in grads.items()}
    clipped = clip_gradients(copies, max_norm)
    if not isinstance(clipped, dict):
        raise CheckFailed(
            f"clip_gradients returned {repr(clipped)[:40]}: return a new dict of the clipped "
            "arrays (and leave the arrays of grads as they were)"
        )
    if not all(np.all(np.isfinite(g)) for g in clipped.values()):
        raise CheckFailed(
            "the clipped gradients contain nan or inf; when every gradient is 0 the norm is 0 "
            "and max_norm / 0 is not a number: scale only when the norm is above max_norm"
        )
    expect_grads("clip_gradients", clipped, expected, mistakes, {})


CLIP_CASE = CLIP.public("a global norm above max_norm = 5", _check_clip,
                        lambda: (_clip_case(721, scale=3.0), 5.0))  # fmt: skip
ZERO_CASE = CLIP.public("all-zero gradients", _check_clip, lambda: (_zero_case(), 1.0))


@CLIP.part("a global norm above max_norm: every array scaled by one factor", weight=2)
def _clip_above(clip_gradients, ref):
    CLIP_CASE.run(clip_gradients, ref)
    _check_clip(clip_gradients, ref, _clip_case(722, scale=3.0), 0.5)


@CLIP.part("a global norm below max_norm: the gradients come back unchanged")
def _clip_below(clip_gradients, ref):
    _check_clip(clip_gradients, ref, _clip_case(723, scale=0.1), 100.0)


@CLIP.part("all-zero gradients: zeros come back (no division by zero, no nan)")
def _clip_zero(clip_gradients, ref):
    ZERO_CASE.run(clip_gradients, ref)


@CLIP.part("the arrays of grads are not modified")
def _clip_pure(clip_gradients, ref):
    grads = _clip_case(725, scale=3.0)
    expect_inputs_unchanged(lambda: clip_gradients(grads, 1.0), grads)

