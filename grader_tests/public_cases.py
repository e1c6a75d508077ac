"""Public cases: hidden-test cases that students run too, as visible checks.

An exercise declares a public case next to its hidden parts, and a hidden part runs it:

    CELL_CASE = RNN_CELL.public("h_prev non-zero; D, H, V all different",
                                _check_cell, lambda: _cell_case(21))

    @RNN_CELL.part("h_next and y_t on random sizes", weight=3)
    def _cell_values(rnn_cell_forward, ref):
        CELL_CASE.run(rnn_cell_forward, ref)
        ...

`spec(lesson)` turns a lesson's public cases into the plain data of its public file
(rnnlab.checks.casefile): the check grades the reference answer while recording its calls
(inputs and results) and what it compares them with (grader_tests.recording), so the
visible check knows the expected values and the mistakes the hidden check would name.
"""

import copy
import inspect

import numpy as np

from grader_tests.catalog import exercises
from grader_tests.grading import LocalFunction, exercise_number, reference
from grader_tests.recording import note, recording
from rnnlab.checks.compare import path_key


class _Recorder(LocalFunction):
    """The reference function, keeping each call's inputs and result."""

    def __init__(self, namespace: dict, name: str):
        super().__init__(namespace, name, code=None)
        self.calls: list = []

    def __call__(self, *args, **kwargs):
        inputs = copy.deepcopy((list(args), kwargs))
        result = super().__call__(*args, **kwargs)
        self.calls.append({"inputs": inputs, "result": result, "copy": copy.deepcopy(result),
                           "args": args})  # fmt: skip
        note("call", None)
        return result


def _path(value, target, path=()):
    """The path of `target` (by identity) inside `value`, or None."""
    if value is target:
        return path
    items = value.items() if isinstance(value, dict) else ()
    if isinstance(value, (list, tuple)):
        items = enumerate(value)
    for key, item in items:
        found = _path(item, target, (*path, key))
        if found is not None:
            return found
    return None


def _given(call: dict) -> dict:
    """{path: index of the argument} of the layers in the result that were arguments."""
    found = {}
    for index, arg in enumerate(call["args"]):
        path = _path(call["result"], arg) if hasattr(arg, "forward") else None
        if path:
            found[path_key(path)] = index
    return found


def _tables(calls: list, notes: list) -> list:
    """Per call: names, mistakes, shapes, tolerance, labels and own_data from the notes,
    and the layers of the result that are arguments (`given`)."""
    tables = [{"names": {}, "mistakes": {}, "shapes": {}, "tolerance": {}, "given": _given(call)}
              for call in calls]  # fmt: skip
    made = 0  # calls made so far
    for kind, actual, details in notes:
        if kind == "call":
            made += 1
        if kind == "own_data" and made:
            tables[made - 1]["own_data"] = details["source"]
        if kind in ("call", "own_data"):
            continue
        for call, table in zip(calls, tables, strict=True):
            path = _path(call["result"], actual)
            if path is not None:
                _note(table, kind, path_key(path), details)
                break
    return tables


def _note(table: dict, kind: str, key: str, details: dict) -> None:
    if kind == "results":
        table["labels"] = list(details["labels"])
        return
    table["names"][key] = details["name"]
    if kind == "shapes":
        table["shapes"][key] = {str(shape): text for shape, text in details["known"].items()}
    elif kind == "match":
        wrong = {m: v for m, v in details["mistakes"].items() if hasattr(v, "shape")}
        table["mistakes"][key] = wrong
        table["tolerance"][key] = list(details["tolerance"])


def record(case, ref) -> list:
    """The public calls of `case`: its check run on the reference answer, recorded."""
    function = _Recorder(dict(vars(ref)), case.exercise.name)
    with recording() as notes, np.errstate(all="ignore"):
        case.run(function, ref)
    names = list(inspect.signature(getattr(ref, case.exercise.name)).parameters)
    calls = []
    for index, (call, table) in enumerate(zip(function.calls, _tables(function.calls, notes),
                                              strict=True)):  # fmt: skip
        label = case.label if len(function.calls) == 1 else f"{case.label} (call {index + 1})"
        args, kwargs = call["inputs"]
        calls.append({"label": label, "args": args, "kwargs": kwargs, "arg_names": names,
                      "expected": call["copy"], "own_data": None, **table})  # fmt: skip
    return calls


def _qualified(obj) -> str:
    return f"{obj.__module__}.{obj.__name__}"


def spec(lesson: str) -> dict:
    """{exercise name: spec} of a lesson's public file (see rnnlab.checks.casefile)."""
    ref = reference(lesson)
    return {
        exercise.name: {
            "number": exercise_number(lesson, exercise.name),
            "helpers": list(exercise.helpers),
            "not_allowed": [_qualified(obj) for obj in exercise.not_allowed],
            "calls": [call for case in exercise.public_cases for call in record(case, ref)],
        }
        for exercise in exercises(lesson).values()
    }
