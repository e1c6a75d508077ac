"""Every line a student reads about a check: one place that words them.

The visible checks (rnnlab.checks.public), the hidden tests (grader_tests) and the feedback
all turn a difference or an exception into a line here, so a mistake reads the same
before and after grading.

    difference("h_next", actual, expected)   # None, or "h_next[1, 3] should be ... (largest ...)"
    raised("ValueError", "matmul: ...", line=4, inputs={"W_x": W_x})
    untouched(2, "rnn_cell_forward")
"""

import re

import numpy as np

_SIZES = re.compile(r"size (\d+) is different from (\d+)|(\d+) \(dim \d+\) != (\d+) \(dim \d+\)")
_PATH = re.compile(r"(?<![\w.])/(?:[\w.+-]+/)+([\w.+-]+)")


def untouched(number: int, name: str) -> str:
    """The line for an exercise whose function still raises NotImplementedError."""
    return (
        f"exercise {number} (`{name}`) is not done yet: replace the "
        "`raise NotImplementedError()` with your code"
    )


def helper_untouched(helper: str, name: str) -> str:
    return f"{name} calls {helper}, which is not done yet: finish {helper} first"


def _number(value) -> str:
    return f"{value:.6g}" if np.isscalar(value) else str(value)


def wrong_type(name: str, actual, shape: tuple) -> str:
    return f"{name} should be a NumPy array of shape {tuple(shape)}, got {type(actual).__name__}"


def wrong_shape(name: str, shape: tuple, expected: tuple) -> str:
    line = f"{name} should have shape {tuple(expected)} but has shape {tuple(shape)}"
    if len(shape) == len(expected) and sorted(shape) == sorted(expected):
        line += ": the same sizes in another order, so the axes are in the wrong order"
    return line


def _errors(actual: np.ndarray, expected: np.ndarray, rtol: float, atol: float) -> np.ndarray:
    """How far each element is outside the tolerance (0 inside, inf for nan or inf)."""
    with np.errstate(invalid="ignore", over="ignore"):
        excess = np.abs(actual - expected) - (atol + rtol * np.abs(expected))
    excess = np.where(np.isfinite(excess), np.maximum(excess, 0.0), np.inf)
    close = np.isclose(actual, expected, rtol=rtol, atol=atol)
    return np.where(close, 0.0, excess)


def difference(name: str, actual, expected, rtol: float = 1e-6, atol: float = 1e-8):
    """None when `actual` matches `expected` (shape, then values within tolerance); else
    the line that names the element with the largest error and how many elements differ."""
    expected = np.asarray(expected)
    if not isinstance(actual, np.ndarray) or actual.dtype.kind not in "biuf":
        return wrong_type(name, actual, expected.shape)
    if actual.shape != expected.shape:
        return wrong_shape(name, actual.shape, expected.shape)
    errors = _errors(actual.astype(float), expected.astype(float), rtol, atol)
    count = int(np.count_nonzero(errors))
    if count == 0:
        return None
    index = np.unravel_index(int(np.argmax(errors)), errors.shape) if errors.ndim else ()
    where = f"[{', '.join(str(int(i)) for i in index)}]" if index else ""
    largest = "the largest error; " if count > 1 else ""
    return (
        f"{name}{where} should be {_number(expected[index])} but is {_number(actual[index])} "
        f"({largest}{count} of {expected.size} elements differ)"
    )


def likely(line: str, mistake: str) -> str:
    return f"{line}. Likely mistake: {mistake}"


def changed_input(name: str) -> str:
    return f"your function changed its input '{name}' in place; work on a copy"


def count(name: str, actual, expected: int, labels: tuple = ()) -> str:
    """A result of the wrong kind or length where `expected` values were due."""
    what = f"{expected} values" + (f" ({', '.join(labels)})" if labels else "")
    if isinstance(actual, (list, tuple)):
        return f"{name} should return {what}, it returns {len(actual)}"
    return f"{name} should return {what}, it returns a {type(actual).__name__}"


def _keys(keys) -> str:
    return ", ".join(repr(key) for key in keys)


def not_a_dict(name: str, actual, keys) -> str:
    return f"{name} should be a dict with the keys {_keys(keys)}, not a {type(actual).__name__}"


def missing_key(name: str, key, keys) -> str:
    return f"{name} has no key {key!r}; it needs the keys {_keys(keys)}"


def not_the_layer(name: str, argument: str, kind: str) -> str:
    return (
        f"{name} should be the {kind} layer you were given as '{argument}', not another one: "
        f"use {argument}.forward(...) so that its backward has what it needs"
    )


def layer_state(line: str, argument: str) -> str:
    return f"{line}: run {argument}.forward(...) on this call's values"


def library_use(name: str, borrowed: list) -> str:
    return (
        f"{name} uses the course library's {', '.join(borrowed)}, which does this "
        "exercise's work: write the computation yourself"
    )


def outside_data(name: str, names: list, source: str) -> str:
    listed = ", ".join(f"'{n}'" for n in names)
    return (
        f"{name} uses the global name {listed} instead of taking it from {source}: a "
        "function must work on its arguments only (a notebook variable holds the values "
        "of some other call)"
    )


def hide_paths(text: str) -> str:
    """`text` with every absolute file path cut to its last part (no private folders)."""
    return _PATH.sub(lambda match: match.group(1), text)


def _shape_hint(message: str, inputs: dict) -> str:
    """Which inputs have the two sizes a failed product names, if any."""
    found = _SIZES.search(message)
    if not found:
        return ""
    a, b = (int(n) for n in filter(None, found.groups()))
    named = [
        f"{name} {tuple(value.shape)}"
        for name, value in inputs.items()
        if np.ndim(value) == 2 and sorted(np.shape(value)) == sorted((a, b)) and a != b
    ]
    hint = f" The sizes {b} and {a} meet in one product"
    if named:
        hint += f"; inputs of those sizes: {', '.join(named)}"
    return hint + ". Check which array each product uses, and which way round"


def raised(kind: str, message: str, line=None, inputs=None, number=0, name="") -> str:
    """The line for an exception the student's function raised.

    kind, message: the exception's type name and text; line: the line of the notebook
    cell where it was raised; inputs: {name: array} the function was given, to name the
    arrays whose sizes a failed product mentions; number, name: the exercise.
    """
    if kind == "NotImplementedError" and name:
        return untouched(number, name)
    message = hide_paths(message)
    where = f" (line {line} of your cell)" if isinstance(line, int) else ""
    shape_words = ("shape", "dimension", "broadcast", "aligned")
    if kind in ("ValueError", "AxisError") and any(w in message for w in shape_words):
        hint = "" if kind == "AxisError" else _shape_hint(message, inputs or {})
        return f"shape error{where}: {message}.{hint}"
    return f"your function raised {kind}{where}: {message}"


def not_finite(name: str, actual) -> str:
    """nan or inf in `actual`: say what can have happened, without guessing which."""
    values = np.asarray(actual, dtype=float)
    if np.isinf(values).any():
        return f"{name} contains inf: a value overflowed (np.exp of a large score?)"
    return (
        f"{name} contains nan: a normalisation divided inf / inf (np.exp overflowed) or "
        "0 / 0 (every np.exp of a row underflowed). Subtract each row's own max, over the "
        "axis the sum runs over, before np.exp"
    )
