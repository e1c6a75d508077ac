"""What a call of the student's function shows besides its result, on either side.

- `outside_data(function)`: the global names the function's code reads (nested code
  included) that hold an array, a tuple, a list or a layer instance, or that are not
  defined at all. A backward pass that reads `cache` from the notebook instead of its
  argument gives the right numbers once and wrong ones in a real network.
- `count_lines(function, *args)`: the result and how many lines of the notebook's own code
  ran (library code not counted). A loop over time shows as a count that grows with T.
"""

import builtins
import dis
import os
import sys
import types

import numpy as np

_DATA = (np.ndarray, tuple, list)


def _is_data(value) -> bool:
    """Arrays, tuples, lists and layer instances: values a function should get as arguments."""
    if isinstance(value, _DATA):
        return True
    return hasattr(value, "backward") and not isinstance(value, type)


def _global_reads(code: types.CodeType) -> list[str]:
    names = [
        ins.argval
        for ins in dis.get_instructions(code)
        if ins.opname in ("LOAD_GLOBAL", "LOAD_NAME")
    ]
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names += _global_reads(const)
    return names


def outside_data(function) -> list[str]:
    """Global names `function` reads that hold data (or are not defined at all), sorted."""
    scope = getattr(function, "__globals__", {})
    code = getattr(function, "__code__", None)
    found: list[str] = []
    for name in _global_reads(code) if isinstance(code, types.CodeType) else []:
        if name in found:
            continue
        if name in scope:
            if _is_data(scope[name]):
                found.append(name)
        elif not hasattr(builtins, name):
            found.append(name)
    return sorted(found)


_LIBRARY = tuple(
    os.path.realpath(p) + os.sep
    for p in {sys.prefix, sys.base_prefix, os.path.dirname(os.path.dirname(__file__))}
)
_settrace = sys.settrace


def _is_library(filename: str) -> bool:
    return filename.startswith("<frozen") or os.path.realpath(filename).startswith(_LIBRARY)


class _LineCounter:
    def __init__(self):
        self.lines = 0

    def __call__(self, frame, event, arg):
        if event == "call" and _is_library(frame.f_code.co_filename):
            return None
        if event == "line":
            self.lines += 1
        return self


def count_lines(function, *args, **kwargs) -> tuple:
    """(function(*args, **kwargs), lines of non-library code that ran during the call)."""
    counter = _LineCounter()
    _settrace(counter)
    try:
        return function(*args, **kwargs), counter.lines
    finally:
        _settrace(None)
