"""Checks shared by the hidden tests of the backward lessons (07 RNN, 08 LSTM).

A backward function of these lessons returns its gradients in a dict, e.g. {"dx_t": ...,
"dh_prev": ..., "dW_x": ...}. The helpers below check such a dict key by key against the
reference and name a known mistake when a value or a shape matches it, run
backpropagation through time with switches for the classic loop mistakes, and compare a
backward pass with numerical gradients. They only call the functions they are given, with
arrays, lists, tuples and dicts, and inspect what comes back.
"""

from typing import Callable

import numpy as np

from grader_tests.grading import expect_match
from grader_tests.layer_checks import expect_keys, expect_not_shaped
from rnnlab.gradcheck import check_with_cache
from rnnlab.testing import CheckFailed, expect_unchanged


def expect_grads(function_name: str, grads, expected: dict, mistakes: dict, shapes: dict) -> None:
    """Check the dict `grads` against `expected` ({key: array}, checked in its order).

    mistakes: {description: {key: array}}, the gradients that mistake gives (any keys);
    shapes: {key: {wrong shape: description of the mistake that gives it}}.
    """
    expect_keys(function_name, grads, tuple(expected))
    for key, value in expected.items():
        actual = grads[key]
        if isinstance(actual, (list, tuple)):
            raise CheckFailed(
                f"{key} is a {type(actual).__name__} of {len(actual)} arrays, not an array of "
                f"shape {value.shape}"
            )
        expect_not_shaped(key, actual, value.shape, shapes.get(key, {}))
        wrong = {mistake: grads[key] for mistake, grads in mistakes.items() if key in grads}
        expect_match(key, actual, value, wrong)


def through_time(
    cell_backward: Callable,
    dh,
    caches: list,
    states: tuple = ("h",),
    *,
    carried: tuple | None = None,
    forwards: bool = False,
    accumulate: bool = True,
    upstream_last_only: bool = False,
    stop_before_first: bool = False,
) -> dict:
    """Backpropagation through time with `cell_backward`, and switches for the loop mistakes.

    cell_backward(dh_next, [dc_next,] cache) -> {"dx_t", "d<s>_prev" for s in states,
    parameter gradients}; dh: (N, T, H); caches: T caches, each starting with x_t: (N, D);
    states: ("h",) for an RNN,
    ("h", "c") for an LSTM. With the defaults this is the correct loop. The switches:
    carried: the states whose gradient reaches the step before (default: all);
    forwards: the loop runs t = 0, ..., T-1 instead of backwards;
    accumulate: False keeps one step's parameter gradients instead of their sum;
    upstream_last_only: dh[:, t] is used at the last step only;
    stop_before_first: the loop stops before step 0, whose dx stays zero.
    Returns {"dx": (N, T, D), "d<s>0": (N, H) for s in states, parameter gradients}.
    """
    N, T, H = dh.shape
    carried = states if carried is None else carried
    incoming = {s: np.zeros((N, H)) for s in states}
    dx, totals = [None] * T, {}
    steps = range(T) if forwards else range(T - 1, -1, -1)
    for t in steps:
        if stop_before_first and t == 0:
            break
        upstream = dh[:, t] if not upstream_last_only or t == T - 1 else 0.0
        incoming["h"] = incoming["h"] + upstream
        grads = dict(cell_backward(*(incoming[s] for s in states), caches[t]))
        dx[t] = grads.pop("dx_t")
        for s in states:
            previous = grads.pop(f"d{s}_prev")
            incoming[s] = previous if s in carried else np.zeros((N, H))
        for key, value in grads.items():
            totals[key] = totals[key] + value if accumulate and key in totals else value
    D = caches[0][0].shape[1]
    dx = [np.zeros((N, D)) if value is None else value for value in dx]
    first = {f"d{s}0": incoming[s] for s in states}
    return {"dx": np.stack(dx, axis=1), **first, **totals}


def expect_numerical_ok(
    forward: Callable, backward: Callable, inputs: dict, dout, params: dict | None = None
) -> None:
    """Fail unless `backward` agrees with numerical gradients at `inputs` (and `params`).

    forward and backward as in rnnlab.gradcheck.check_with_cache: forward(**inputs
    [, params=params]) -> (output shaped like dout, cache); backward(dout, cache) -> a dict
    with the gradient of each input and each entry of params under "d" + its name.
    backward gets a copy of dout, so a backward that changes it loses only the part that
    checks for changed inputs.
    """

    def on_a_copy(upstream, cache):
        return backward(upstream.copy(), cache)

    reports = check_with_cache(forward, on_a_copy, inputs, dout, params)
    wrong = [str(report) for report in reports if not report.ok]
    if wrong:
        raise CheckFailed("numerical gradient check: " + "; ".join(wrong))


def expect_inputs_unchanged(call: Callable, arrays: dict) -> None:
    """call() with the arrays {name: array} among its arguments; fail if it changed one."""
    before = {name: value.copy() for name, value in arrays.items()}
    call()
    for name, value in arrays.items():
        expect_unchanged(name, before[name], value)


def loop_mistakes(run: Callable) -> dict:
    """{description: gradients} of the loop mistakes that both lessons' backward passes
    can make; run(**switches) runs through_time with one of them."""
    return {
        "the loop runs forwards in time (t = 0, 1, ...); it starts at the last step, T - 1": (
            run(forwards=True)
        ),
        "the weight gradients are overwritten at every step; they are sums over the steps": (
            run(accumulate=False)
        ),
        "dh[:, t] is added at the last step only; every step adds its own dh[:, t] to the "
        "dh_prev of step t + 1": run(upstream_last_only=True),
        "the loop stops before step 0 (range(T - 1, 0, -1)): step 0 is never taken back": (
            run(stop_before_first=True)
        ),
    }
