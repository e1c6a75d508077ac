"""Numerical gradient checks by central differences.

To test a backward pass, pick a random upstream gradient `dout`, define the scalar
loss L(x) = sum(forward(x) * dout), and compare the analytic dL/dx of your backward with

    (L(x + eps e_i) - L(x - eps e_i)) / (2 eps)    for every element i of x.

The comparison uses the relative error |a - n| / max(|a| + |n|, tiny), elementwise; the
report names the worst element and its index, which usually points at the bug.
"""

from dataclasses import dataclass
from typing import Callable

import numpy as np


def numerical_gradient(loss: Callable[[], float], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """dloss/dx by central differences. `loss()` must read `x`, which is perturbed in place
    one element at a time and restored. x: any shape (float64). Returns an array like x."""
    grad = np.zeros_like(x, dtype=float)
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved + eps
        plus = loss()
        x[index] = saved - eps
        minus = loss()
        x[index] = saved
        grad[index] = (plus - minus) / (2 * eps)
    return grad


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> np.ndarray:
    """Elementwise |a - n| / max(|a| + |n|, 1e-12); both arrays of the same shape."""
    return np.abs(analytic - numeric) / np.maximum(np.abs(analytic) + np.abs(numeric), 1e-12)


@dataclass
class GradientReport:
    name: str
    max_error: float
    worst_index: tuple
    analytic: float
    numeric: float
    tolerance: float

    @property
    def ok(self) -> bool:
        return self.max_error <= self.tolerance

    def __str__(self) -> str:
        verdict = "ok" if self.ok else "WRONG"
        where = f"[{', '.join(map(str, self.worst_index))}]"
        return (
            f"{self.name}: {verdict}, relative error {self.max_error:.2e} at {self.name}{where} "
            f"(analytic {self.analytic:.6g}, numerical {self.numeric:.6g})"
        )


def compare_gradients(
    name: str, analytic: np.ndarray, numeric: np.ndarray, tolerance: float = 1e-5
) -> GradientReport:
    """Compare an analytic gradient with a numerical one; both of the same shape."""
    analytic, numeric = np.asarray(analytic, dtype=float), np.asarray(numeric, dtype=float)
    if analytic.shape != numeric.shape:
        raise ValueError(
            f"{name}: analytic gradient has shape {analytic.shape}, expected {numeric.shape}"
        )
    errors = relative_error(analytic, numeric)
    worst = np.unravel_index(int(np.argmax(errors)), errors.shape) if errors.size else ()
    worst = tuple(int(i) for i in worst)
    return GradientReport(
        name,
        float(errors.max(initial=0.0)),
        worst,
        float(analytic[worst]),
        float(numeric[worst]),
        tolerance,
    )


def check_gradients(
    forward: Callable,
    backward: Callable,
    inputs: dict,
    dout: np.ndarray,
    eps: float = 1e-6,
    tolerance: float = 1e-5,
) -> list[GradientReport]:
    """Check a forward/backward pair on named inputs.

    forward(**inputs) returns an array shaped like `dout`; backward(dout) returns the
    gradients of the inputs, in the order of `inputs` (a tuple, or one array for one input).
    Runs forward once, then backward, then the numerical gradients. One report per input.
    """
    forward(**inputs)
    analytic = backward(dout)
    analytic = analytic if isinstance(analytic, tuple) else (analytic,)

    def loss() -> float:
        return float(np.sum(forward(**inputs) * dout))

    return [
        compare_gradients(name, grad, numerical_gradient(loss, value, eps), tolerance)
        for (name, value), grad in zip(inputs.items(), analytic, strict=True)
    ]


def check_layer(layer, inputs: dict, dout: np.ndarray, **options) -> list[GradientReport]:
    """Check a layer's input gradients and parameter gradients (`layer.grads`).

    The layer follows the course interface: `params` and `grads` are lists of arrays,
    `forward(*inputs)` and `backward(dout)`. Reports are named after the inputs, then
    `params[0]`, `params[1]`, ...
    """
    names = list(inputs)

    def forward(**values):
        return layer.forward(*(values[name] for name in names))

    def backward(d):
        grads = layer.backward(d)
        grads = grads if isinstance(grads, tuple) else (grads,)
        return (*grads, *(g.copy() for g in layer.grads))

    everything = {**inputs, **{f"params[{i}]": p for i, p in enumerate(layer.params)}}
    return check_gradients(forward, backward, everything, dout, **options)


def check_with_cache(
    forward: Callable,
    backward: Callable,
    inputs: dict,
    dout: np.ndarray,
    params: dict | None = None,
    **options,
) -> list[GradientReport]:
    """Check a function that keeps a cache and returns its gradients in a dict.

    forward(**inputs) returns (output shaped like dout, cache); with `params` given it is
    called as forward(**inputs, params=params), for functions that take their weights in
    one dict (rnnlab.recurrent.rnn_sequence, say), and every entry of params is checked
    too. backward(dout, cache) returns a dict holding the gradient of each input and each
    entry of params under "d" + its name (x_t -> dx_t, W_h -> dW_h). One report per input,
    then per entry of params, as check_gradients.
    """
    memo = {}

    def output(**arrays):
        if params is None:
            out, memo["cache"] = forward(**arrays)
        else:
            weights = {name: arrays.pop(name) for name in params}
            out, memo["cache"] = forward(**arrays, params=weights)
        return out

    def gradients(upstream):
        grads = backward(upstream, memo["cache"])
        return tuple(grads[f"d{name}"] for name in everything)

    everything = {**inputs, **(params or {})}
    return check_gradients(output, gradients, everything, dout, **options)
