"""Compare what a student's function returned with what it should return, value by value.

A *public call* (see rnnlab.checks.public) holds the inputs of one call, the result the
reference returns for them, and what the hidden check of the same case knows about the
ways it goes wrong, each keyed by the path of a value in the result (`[0]`, `[2, "f"]`):

    names      {path: "h_next"}                 how the value is called in messages
    mistakes   {path: {mistake: wrong array}}   the result each typical mistake gives
    shapes     {path: {"(3, 4)": mistake}}      wrong shapes that betray a mistake
    tolerance  {path: [rtol, atol]}
    given      {path: i}                        a layer that must be argument i itself, in
                                                the state its forward leaves

`first_problem(result, call, name, args)` walks the expected result and returns the line of
the first value that differs, or None. Several values may come back as a tuple or a list
(what counts is their order and their values); dicts must have the expected keys; a layer
is compared only where it must be one of the arguments (`args`, as passed in this call).
"""

import json

import numpy as np

from rnnlab.checks import messages

RTOL, ATOL = 1e-6, 1e-8


def path_key(path: tuple) -> str:
    """The key of a value's path in a public call's tables, e.g. '[2, "f"]'."""
    return json.dumps(list(path))


def same(actual, wrong, rtol: float = RTOL, atol: float = ATOL) -> bool:
    """True when `actual` is an array equal to `wrong` (nan where `wrong` has nan)."""
    wrong = np.asarray(wrong)
    return (
        isinstance(actual, np.ndarray)
        and actual.dtype.kind in "biuf"
        and actual.shape == wrong.shape
        and bool(np.allclose(actual, wrong, rtol=rtol, atol=atol, equal_nan=True))
    )


def named_mistake(actual, mistakes: dict, rtol: float = RTOL, atol: float = ATOL) -> str:
    """The first mistake of {mistake: wrong array} whose array `actual` equals, or ""."""
    return next((m for m, wrong in mistakes.items() if same(actual, wrong, rtol, atol)), "")


def _child(name: str, key, path: tuple, labels) -> str:
    if not path and labels and isinstance(key, int) and key < len(labels):
        return labels[key]
    return f"{name}[{key!r}]"


class _Walk:
    def __init__(self, call: dict, args: list):
        self.call, self.args = call, args

    def table(self, name: str, path: tuple):
        return self.call.get(name, {}).get(path_key(path))

    def value(self, actual, expected, path: tuple, name: str):
        name = self.table("names", path) or name
        if isinstance(expected, (list, tuple)):
            return self.sequence(actual, expected, path, name)
        if isinstance(expected, dict):
            return self.mapping(actual, expected, path, name)
        if isinstance(expected, (np.ndarray, np.number, int, float)) and not isinstance(
            expected, bool
        ):
            return self.array(actual, np.asarray(expected), path, name)
        given = self.table("given", path)
        if given is not None:
            return self.layer(actual, expected, path, name, self.args[given])
        return None  # other layers, strings, None: the hidden tests check those

    def layer(self, actual, expected, path, name, argument):
        label = self.call["arg_names"][self.call["given"][path_key(path)]]
        if actual is not argument:
            return messages.not_the_layer(name, label, type(argument).__name__)
        for attribute, value in vars(expected).items():
            if isinstance(value, np.ndarray):
                found = self.value(getattr(actual, attribute, None), value,
                                   (*path, attribute), f"{label}.{attribute}")  # fmt: skip
                if found:
                    return messages.layer_state(found, label)
        return None

    def sequence(self, actual, expected, path, name):
        labels = self.call.get("labels") if not path else None
        if not isinstance(actual, (list, tuple)) or len(actual) != len(expected):
            return messages.count(name, actual, len(expected), tuple(labels or ()))
        for key, (mine, theirs) in enumerate(zip(actual, expected, strict=True)):
            found = self.value(mine, theirs, (*path, key), _child(name, key, path, labels))
            if found:
                return found
        return None

    def mapping(self, actual, expected, path, name):
        if not isinstance(actual, dict):
            return messages.not_a_dict(name, actual, expected)
        missing = [k for k in expected if k not in actual]
        if missing:
            return messages.missing_key(name, missing[0], expected)
        for key, theirs in expected.items():
            found = self.value(actual[key], theirs, (*path, key), f"{name}[{key!r}]")
            if found:
                return found
        return None

    def array(self, actual, expected, path, name):
        if np.ndim(expected) == 0 and isinstance(actual, (int, float, np.number)):
            actual = np.asarray(actual)
        rtol, atol = self.table("tolerance", path) or (RTOL, ATOL)
        line = messages.difference(name, actual, expected, rtol, atol)
        if line is None:
            return None
        shape_mistake = (self.table("shapes", path) or {}).get(str(np.shape(actual)))
        if shape_mistake and np.shape(actual) != expected.shape:
            return messages.likely(line, shape_mistake)
        mistake = named_mistake(actual, self.table("mistakes", path) or {}, rtol, atol)
        return messages.likely(line, mistake) if mistake else line


def first_problem(result, call: dict, name: str, args: list):
    """The line of the first value of `result` that differs from call["expected"], or None;
    `args`: the arguments as passed in this call."""
    return _Walk(call, args).value(result, call["expected"], (), name)


def changed_inputs(before, after, name: str) -> str:
    """The name of the first input array changed in place (`before` is a deep copy), or ""."""
    if isinstance(before, np.ndarray):
        same_array = isinstance(after, np.ndarray) and after.shape == before.shape
        return "" if same_array and np.array_equal(before, after, equal_nan=True) else name
    if isinstance(before, (list, tuple)) and isinstance(after, (list, tuple)):
        for key, (mine, theirs) in enumerate(zip(before, after, strict=False)):
            found = changed_inputs(mine, theirs, f"{name}[{key}]")
            if found:
                return found
    if isinstance(before, dict) and isinstance(after, dict):
        for key, value in before.items():
            found = changed_inputs(value, after.get(key), f"{name}[{key!r}]")
            if found:
                return found
    return ""
