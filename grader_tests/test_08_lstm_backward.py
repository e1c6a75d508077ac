"""Hidden tests of lesson 08, the LSTM backward pass.

Called from the hidden regions of `solutions/08_lstm_backward.ipynb`; the reference answers
are that notebook's own solution cells. The backward exercises get the caches of the
reference forward pass, so a wrong forward pass costs its own points, except in the last
part of `lstm_backward`, which trains the delayed echo (`rnnlab.echo`) with the student's
`lstm_forward` and `lstm_backward` and compares the loss curve with the library LSTM's.
Every check calls the student's functions with arrays, lists, tuples and dicts only.
"""

import numpy as np

from grader_tests import lstm_variants as variants
from grader_tests.bptt_checks import (
    expect_grads,
    expect_inputs_unchanged,
    expect_numerical_ok,
    loop_mistakes,
    through_time,
)
from grader_tests.grading import Exercise, expect_match, expect_results, reference, sibling
from grader_tests.layer_checks import expect_not_shaped
from rnnlab import echo, layers
from rnnlab.lstm_cells import GATE_ORDER, stack_lstm_params, unstack_lstm_params
from rnnlab.params import lstm_params
from rnnlab.recurrent import lstm_step
from rnnlab.testing import CheckFailed, expect_close

LESSON = "08_lstm_backward"

LIBRARY_LSTM = (
    layers.LSTM,
    layers.BiLSTM,
    layers.lstm_cell_backward,
    layers.lstm_local_derivatives,
    echo.lstm_layer_forward,
    echo.lstm_layer_backward,
)
FORWARD = Exercise(LESSON, "lstm_forward", points=2, not_allowed=LIBRARY_LSTM)
CELL = Exercise(LESSON, "lstm_cell_backward", points=5, not_allowed=LIBRARY_LSTM)
BACKWARD = Exercise(
    LESSON, "lstm_backward", points=5, helpers=("lstm_cell_backward",), not_allowed=LIBRARY_LSTM
)
EXERCISES = (FORWARD, CELL, BACKWARD)

WEIGHT_KEYS = tuple(f"d{weight}_{k}" for k in GATE_ORDER for weight in "WUb")


# --- exercise 1: lstm_forward ----------------------------------------------------------


def _forward_mistakes(x, h0, c0, params) -> dict:
    def run(**switches):
        return variants.sequence(x, h0, c0, params, **switches)

    return {
        "c is not carried: every step starts again from c0": run(carry_c=False)["h"],
        "h is not carried: every step starts again from h0": run(carry_h=False)["h"],
        "the states are reset to h0, c0 at every step": run(reset=True)["h"],
        "h and c are swapped in the call to lstm_step": run(swap_hc=True)["h"],
        "h[:, t] holds the state before step t instead of after it": variants.shifted(
            run(), h0, c0
        )["h"],
    }


def _check_forward(lstm_forward, ref, x, h0, c0, params) -> None:
    h_expected, caches_expected = ref.lstm_forward(x, h0, c0, params)
    mistakes = _forward_mistakes(x, h0, c0, params)
    outputs = lstm_forward(x.copy(), h0.copy(), c0.copy(), params)
    h, caches = expect_results("lstm_forward", outputs, ("h", "caches"))
    N, T, H = h_expected.shape
    if isinstance(h, (list, tuple)):
        raise CheckFailed(
            f"h is a list of {len(h)} arrays, not an array of shape (N, T, H) = {(N, T, H)}: "
            "stack the steps with np.stack(states, axis=1)"
        )
    expect_not_shaped(
        "h",
        h,
        (N, T, H),
        {
            (T, N, H): "h is time-major (T, N, H); the course uses (N, T, H)",
            (N, H): "h holds the last state only; it needs every step, (N, T, H)",
        },
    )
    expect_match("h", h, h_expected, mistakes)
    if not isinstance(caches, (list, tuple)) or len(caches) != T:
        count = len(caches) if isinstance(caches, (list, tuple)) else type(caches).__name__
        raise CheckFailed(
            f"caches should be the list of the {T} caches of lstm_step, one per step; "
            f"it holds {count}"
        )
    for t, (cache, expected) in enumerate(zip(caches, caches_expected, strict=True)):
        if not isinstance(cache, (tuple, list)) or len(cache) != 6:
            raise CheckFailed(
                f"caches[{t}] should be the cache lstm_step returns for step {t}, "
                "(x_t, h_prev, c_prev, c_next, gates, params)"
            )
        expect_close(f"caches[{t}][1] (h_prev of step {t})", cache[1], expected[1])
        expect_close(f"caches[{t}][2] (c_prev of step {t})", cache[2], expected[2])


def _sequence_case(seed: int, **fixed) -> tuple:
    """(x (N, T, D), h0, c0 (N, H), params) of a type-1 LSTM, sizes all different."""
    return variants.sequence_case(1, seed, **fixed)


FORWARD_CASE = FORWARD.public("several steps; h0, c0 not zero; N, T, D, H all different",
                              _check_forward, lambda: _sequence_case(801))  # fmt: skip


@FORWARD.part("h (N, T, H) and the caches on random sizes with N, T, D, H all different", weight=2)
def _forward_values(lstm_forward, ref):
    FORWARD_CASE.run(lstm_forward, ref)
    _check_forward(lstm_forward, ref, *_sequence_case(802))


@FORWARD.part("a sequence of one step (T = 1)")
def _forward_one_step(lstm_forward, ref):
    _check_forward(lstm_forward, ref, *_sequence_case(803, T=1))


@FORWARD.part("a batch of one sequence (N = 1)")
def _forward_one_sequence(lstm_forward, ref):
    _check_forward(lstm_forward, ref, *_sequence_case(804, N=1))


@FORWARD.part("x, h0, c0 and params are not modified")
def _forward_pure(lstm_forward, ref):
    x, h0, c0, params = _sequence_case(805)
    arrays = {"x": x, "h0": h0, "c0": c0, **params}
    expect_inputs_unchanged(lambda: lstm_forward(x, h0, c0, params), arrays)


# --- exercise 2: lstm_cell_backward ----------------------------------------------------


def _cell_variant(
    dh_next,
    dc_next,
    cache,
    *,
    dc_next_added=True,
    tanh_of_c=True,
    g_from_g=True,
    forget_reads_c_prev=True,
    order=GATE_ORDER,
    do_has_tanh=True,
    sigmoid_derivative=True,
    dc_prev_times_f=True,
) -> dict:
    """One LSTM step backwards with switches for the classic mistakes (defaults: correct).

    dc_next_added: dc_next is part of dc; tanh_of_c: tanh' of the cell state is taken at
    tanh(c_next), not c_next; g_from_g: the candidate's derivative is 1 - g**2, not
    1 - tanh(g)**2; forget_reads_c_prev: df = dc * c_prev, not dc * c_next; order: the gate
    order of the stacked dz, against weights stacked in GATE_ORDER; do_has_tanh:
    do = dh_next * tanh(c_next), not dh_next; sigmoid_derivative: the gates' s * (1 - s);
    dc_prev_times_f: dc_prev = dc * f, not dc.
    """
    x_t, h_prev, c_prev, c_next, gates, params = cache
    tanh_c = np.tanh(c_next)
    dc = dh_next * gates["o"] * (1 - (tanh_c if tanh_of_c else c_next) ** 2)
    dc = dc + dc_next if dc_next_added else dc
    d_activation = {
        "f": dc * (c_prev if forget_reads_c_prev else c_next),
        "i": dc * gates["g"],
        "o": dh_next * tanh_c if do_has_tanh else dh_next,
        "g": dc * gates["i"],
    }
    local = {k: gates[k] * (1 - gates[k]) if sigmoid_derivative else 1.0 for k in "fio"}
    local["g"] = 1 - (gates["g"] if g_from_g else np.tanh(gates["g"])) ** 2
    dz = np.concatenate([d_activation[k] * local[k] for k in order], axis=1)
    stacked = stack_lstm_params(params)
    weights = {"dW": x_t.T @ dz, "dU": h_prev.T @ dz, "db": dz.sum(axis=0)}
    return {
        "dx_t": dz @ stacked["W"].T,
        "dh_prev": dz @ stacked["U"].T,
        "dc_prev": dc * gates["f"] if dc_prev_times_f else dc,
        **unstack_lstm_params(weights),
    }


CELL_MISTAKES = {
    "dc_next is not added: the gradient of c_next from the next step is missing, "
    "dc = dc_next + dh_next * o * (1 - tanh(c_next)**2)": {"dc_next_added": False},
    "tanh' of the cell state taken at c_next: it is 1 - np.tanh(c_next)**2, "
    "not 1 - c_next**2": {"tanh_of_c": False},
    "the candidate's derivative is 1 - g**2 (g already is tanh(z_g)), "
    "not 1 - np.tanh(g)**2": {"g_from_g": False},
    "the forget gate's gradient uses c_next: f multiplies c_prev, so df = dc * c_prev": {
        "forget_reads_c_prev": False
    },
    "the gates are stacked in another order than the weights (dz in the order i, f, g, o "
    "against weights in GATE_ORDER = f, i, o, g): each gate gets another gate's gradient": {
        "order": ("i", "f", "g", "o")
    },
    "do lacks tanh(c_next): h_next = o * tanh(c_next), so do = dh_next * tanh(c_next)": {
        "do_has_tanh": False
    },
    "the sigmoid derivative of the gates, f * (1 - f), i * (1 - i), o * (1 - o), is "
    "missing": {"sigmoid_derivative": False},
    "dc_prev is not multiplied by the forget gate: dc_prev = dc * f": {"dc_prev_times_f": False},
}


def _gate_swaps(expected: dict) -> dict:
    """{mistake: {key: array}}: a weight gradient that holds another gate's gradient."""
    swaps = {}
    for key in WEIGHT_KEYS:
        gate = key[-1]
        for other in GATE_ORDER:
            if other != gate:
                mistake = (
                    f"{key} holds the gradient of gate {other}: the gates are mixed up (in a "
                    "stacked layout, dz and the weights must follow the same gate order, "
                    "GATE_ORDER = f, i, o, g)"
                )
                swaps[mistake] = {key: expected[key[:-1] + other]}
    return swaps


def _cell_shapes(N: int, D: int, H: int) -> dict:
    shapes = {"dx_t": {(N, H): "dx_t should have the shape of x_t: multiply by the W_k.T"}}
    for k in GATE_ORDER:
        shapes[f"dW_{k}"] = {(H, D): f"dW_{k} is transposed: x_t.T @ dz_{k} has the shape of W_{k}"}
        shapes[f"db_{k}"] = {
            (N, H): f"db_{k} is not summed over the batch (axis 0)",
            (1, H): f"db_{k} keeps the batch axis (keepdims=True); it has the shape of b_{k}",
            (N,): f"db_{k} is summed over the hidden units (axis 1) instead of the batch",
        }
    return shapes


def _cell_case(seed: int, **fixed) -> tuple:
    """(dh_next (N, H), dc_next (N, H), cache of lstm_step); N, D, H all different."""
    x_t, h_prev, c_prev, params = variants.cell_case(1, seed, **fixed)
    _, _, cache = lstm_step(x_t, h_prev, c_prev, params)
    rng = np.random.default_rng(seed)
    return rng.standard_normal(h_prev.shape), rng.standard_normal(h_prev.shape), cache


def _check_cell(lstm_cell_backward, ref, dh_next, dc_next, cache) -> None:
    expected = ref.lstm_cell_backward(dh_next, dc_next, cache)
    mistakes = _gate_swaps(expected)  # first: a weight gradient of another gate is named as such
    for mistake, switches in CELL_MISTAKES.items():
        mistakes[mistake] = _cell_variant(dh_next, dc_next, cache, **switches)
    grads = lstm_cell_backward(dh_next.copy(), dc_next.copy(), cache)
    order = (*WEIGHT_KEYS, "dx_t", "dh_prev", "dc_prev")
    N, D = cache[0].shape
    shapes = _cell_shapes(N, D, dh_next.shape[1])
    expect_grads("lstm_cell_backward", grads, {k: expected[k] for k in order}, mistakes, shapes)


def _both_outputs(x_t, h_prev, c_prev, params) -> tuple:
    """lstm_step with [h_next | c_next]: (N, 2H) as its output, and its cache."""
    h_next, c_next, cache = lstm_step(x_t, h_prev, c_prev, params)
    return np.concatenate([h_next, c_next], axis=1), cache


CELL_CASE = CELL.public("N, D, H all different", _check_cell, lambda: _cell_case(811))


@CELL.part("every gradient on random sizes with N, D, H all different", weight=3)
def _cell_values(lstm_cell_backward, ref):
    CELL_CASE.run(lstm_cell_backward, ref)
    _check_cell(lstm_cell_backward, ref, *_cell_case(812))


@CELL.part("numerical gradients of x_t, h_prev, c_prev and the 12 weights, through h and c")
def _cell_numerical(lstm_cell_backward, ref):
    dh_next, dc_next, (x_t, h_prev, c_prev, _, _, params) = _cell_case(813, N=2, H=3)

    def both_gradients(dout, cache):
        return lstm_cell_backward(*np.split(dout, 2, axis=1), cache)

    inputs = {"x_t": x_t, "h_prev": h_prev, "c_prev": c_prev}
    dout = np.concatenate([dh_next, dc_next], axis=1)
    expect_numerical_ok(_both_outputs, both_gradients, inputs, dout, params)


@CELL.part("a batch of one sequence with one unit (N = 1, H = 1)")
def _cell_small(lstm_cell_backward, ref):
    _check_cell(lstm_cell_backward, ref, *_cell_case(814, N=1, H=1))


@CELL.part("dh_next, dc_next and the arrays of the cache are not modified")
def _cell_pure(lstm_cell_backward, ref):
    dh_next, dc_next, cache = _cell_case(815)
    x_t, h_prev, c_prev, c_next, gates, params = cache
    arrays = {"dh_next": dh_next, "dc_next": dc_next, "x_t": x_t, "h_prev": h_prev}
    arrays.update({"c_prev": c_prev, "c_next": c_next, **gates, **params})
    expect_inputs_unchanged(lambda: lstm_cell_backward(dh_next, dc_next, cache), arrays)


# --- exercise 3: lstm_backward ---------------------------------------------------------


def _backward_case(ref, seed: int, **fixed) -> tuple:
    """(dh (N, T, H), caches of the reference lstm_forward, x, h0, c0, params)."""
    x, h0, c0, params = _sequence_case(seed, **fixed)
    _, caches = ref.lstm_forward(x, h0, c0, params)
    dh = np.random.default_rng(seed).standard_normal((*x.shape[:2], h0.shape[1]))
    return dh, caches, x, h0, c0, params


def _sequence_mistakes(dh, caches, ref) -> dict:
    def run(**switches):
        return through_time(ref.lstm_cell_backward, dh, caches, ("h", "c"), **switches)

    return {
        "dc is not carried back: each step gets dc_next = 0, so the cell state's gradient "
        "from step t + 1 is missing; pass dc_prev on as the next dc_next": run(carried=("h",)),
        "dh_prev is not carried back: each step sees only dh[:, t]; add the dh_prev of step "
        "t + 1": run(carried=("c",)),
        **loop_mistakes(run),
    }


def _sequence_shapes(N: int, T: int, D: int, H: int) -> dict:
    shapes = {
        "dx": {
            (T, N, D): "dx is time-major (T, N, D); the course uses (N, T, D)",
            (N, D): "dx holds one step only; it needs every step, (N, T, D)",
        }
    }
    for key in WEIGHT_KEYS:
        per_step = {"W": (T, D, H), "U": (T, H, H), "b": (T, H)}[key[1]]
        shapes[key] = {per_step: f"{key} holds one gradient per step: sum them over the steps"}
    return shapes


def _check_backward(lstm_backward, ref, dh, caches) -> None:
    expected = ref.lstm_backward(dh, caches)
    mistakes = _sequence_mistakes(dh, caches, ref)
    grads = lstm_backward(dh.copy(), list(caches))
    N, T, H = dh.shape
    order = ("dx", "dh0", "dc0", *WEIGHT_KEYS)
    shapes = _sequence_shapes(N, T, caches[0][0].shape[1], H)
    expect_grads("lstm_backward", grads, {k: expected[k] for k in order}, mistakes, shapes)


BACKWARD_CASE = BACKWARD.public("several steps; N, T, D, H all different", _check_backward,
                                lambda: _backward_case(reference(LESSON), 821)[:2])  # fmt: skip


@BACKWARD.part("dx, dh0, dc0 and the weight gradients on random sizes", weight=3)
def _backward_values(lstm_backward, ref):
    BACKWARD_CASE.run(lstm_backward, ref)
    _check_backward(lstm_backward, ref, *_backward_case(ref, 822)[:2])


@BACKWARD.part("numerical gradients of x, h0, c0 and the 12 weights (rnnlab.gradcheck)")
def _backward_numerical(lstm_backward, ref):
    dh, _, x, h0, c0, params = _backward_case(ref, 823, N=2, T=3, D=3, H=2)
    inputs = {"x": x, "h0": h0, "c0": c0}
    expect_numerical_ok(ref.lstm_forward, lstm_backward, inputs, dh, params)


@BACKWARD.part("a loss on the last state only: its gradient reaches h0 and c0 through every step")
def _backward_last_state(lstm_backward, ref):
    dh, caches = _backward_case(ref, 824, T=6)[:2]
    dh[:, :-1] = 0.0
    _check_backward(lstm_backward, ref, dh, caches)


@BACKWARD.part("a sequence of one step (T = 1)")
def _backward_one_step(lstm_backward, ref):
    _check_backward(lstm_backward, ref, *_backward_case(ref, 825, T=1)[:2])


@BACKWARD.part("dh and the arrays of the caches are not modified")
def _backward_pure(lstm_backward, ref):
    dh, caches, x, h0, c0, params = _backward_case(ref, 826)
    arrays = {"dh": dh, "x": x, "h0": h0, "c0": c0, **params}
    for t, cache in enumerate(caches):
        arrays[f"caches[{t}][3] (c_next)"] = cache[3]
        arrays.update({f"caches[{t}][4][{k!r}]": gate for k, gate in cache[4].items()})
    expect_inputs_unchanged(lambda: lstm_backward(dh, caches), arrays)


# The graded training run: the delayed echo of the notebook, on another batch.
ECHO = {"N": 32, "T": 10, "K": 4, "delay": 3, "H": 16, "steps": 100, "lr": 0.05}
ECHO_SEED = 808
LOSS_BELOW = 0.05


def _echo_case() -> tuple:
    rng = np.random.default_rng(ECHO_SEED)
    x, targets = echo.echo_batch(rng, ECHO["N"], ECHO["T"], ECHO["K"], ECHO["delay"])
    return x, targets, lstm_params(rng, ECHO["K"], ECHO["H"], V=ECHO["K"], scale=0.3)


def _expect_same_forward(lstm_forward, x, params) -> None:
    zeros = np.zeros((x.shape[0], ECHO["H"]))
    h_library, _ = echo.lstm_layer_forward(x, zeros, zeros, params)
    h, _ = lstm_forward(x, zeros.copy(), zeros.copy(), params)
    if np.shape(h) != h_library.shape or not np.allclose(h, h_library, rtol=1e-6, atol=1e-8):
        raise CheckFailed(
            "your lstm_forward (exercise 1) gives other hidden states than the library LSTM "
            "on the training batch; the training needs it right: fix exercise 1 first"
        )


def _expect_same_curve(losses, library) -> None:
    if not isinstance(losses, np.ndarray) or not np.all(np.isfinite(losses)):
        raise CheckFailed("the loss became nan or inf during training: a gradient is wrong")
    if losses[-1] >= LOSS_BELOW:
        raise CheckFailed(
            f"after {ECHO['steps']} steps the loss is {losses[-1]:.3g}, not below "
            f"{LOSS_BELOW} (the library LSTM reaches {library[-1]:.3g})"
        )
    apart = np.flatnonzero(~np.isclose(losses, library, rtol=1e-4, atol=1e-6))
    if apart.size:
        step = int(apart[0])
        raise CheckFailed(
            f"the loss curve leaves the library LSTM's at step {step}: {losses[step]:.6g} "
            f"instead of {library[step]:.6g}, so some gradient differs from the library's"
        )


@BACKWARD.part(
    f"training the delayed echo with your lstm_forward and lstm_backward: the loss below "
    f"{LOSS_BELOW} within {ECHO['steps']} steps, on the library LSTM's curve",
    weight=2,
)
def _backward_training(lstm_backward, ref):
    lstm_forward = sibling(lstm_backward, "lstm_forward")
    if lstm_forward is None:
        raise CheckFailed("there is no function lstm_forward (exercise 1) to train with")
    x, targets, params = _echo_case()
    _expect_same_forward(lstm_forward, x, params)
    run = (params, x, targets, ECHO["steps"], ECHO["lr"])
    library, _ = echo.train(echo.lstm_layer_forward, echo.lstm_layer_backward, *run)
    losses, _ = echo.train(lstm_forward, lstm_backward, *run)
    _expect_same_curve(losses, library)

