"""What a call of the student's function shows besides its result, on either side.

- `outside_data(function)`: the global names the function's code reads (nested code
  included) that hold an array, a tuple, a list or a layer instance, or that are not
  defined at all. A backward pass that reads `cache` from the notebook instead of its
  argument gives the right numbers once and wrong ones in a real network.
- `count_lines(function, *args)`: the result and how many lines of the notebook's own code
  ran (library code not counted). A loop over time shows as a count that grows with T.
- `cell_line(function, error)`: the line of the function's cell where `error` was raised
  (not the line inside NumPy or a helper stub where the traceback ends).
- `unfinished_helper(function, error)`: the name of the other notebook function that
  raised `error`, a NotImplementedError (the exercise calls one that is not done yet).
- `quiet()`: around the student's code, warnings (and what it writes to stderr) are kept
  out of the cell's output.
"""

import builtins
import contextlib
import dis
import io
import os
import sys
import types
import warnings

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


def _frames(error: BaseException):
    """The frames of `error`'s traceback, outermost first."""
    where = error.__traceback__
    while where is not None:
        yield where
        where = where.tb_next


def cell_line(function, error: BaseException) -> int | None:
    """The line of `function`'s cell (the file of its code) where `error` was raised: that
    of the innermost frame of the cell in the traceback. None when the traceback has no
    such frame (a timeout) or `function` has no code (a functools.partial, say)."""
    code = getattr(function, "__code__", None)
    if not isinstance(code, types.CodeType):
        return None
    lines = [
        where.tb_lineno
        for where in _frames(error)
        if where.tb_frame.f_code.co_filename == code.co_filename
    ]
    return lines[-1] if lines else None


def unfinished_helper(function, error: BaseException) -> str:
    """The name of the other notebook function that raised `error`, a NotImplementedError
    (the exercise calls a function that is not done yet), or "" (a library's included)."""
    frames = list(_frames(error))
    if not isinstance(error, NotImplementedError) or not frames:
        return ""
    code = frames[-1].tb_frame.f_code
    if code is getattr(function, "__code__", None) or _is_library(code.co_filename):
        return ""
    return code.co_name


@contextlib.contextmanager
def quiet(stderr: bool = True):
    """Warnings (NumPy's floating-point ones included) ignored during the block, and with
    `stderr`, what is written to sys.stderr discarded: nbgrader gives 0 points to a graded
    cell that writes there. sys.stderr is the process's, so only code that owns the
    process's output (a notebook's cell) should discard it."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        with contextlib.redirect_stderr(io.StringIO()) if stderr else contextlib.nullcontext():
            yield
