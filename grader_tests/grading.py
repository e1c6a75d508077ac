"""The grading framework behind every lesson's hidden tests.

An `Exercise` is a list of weighted parts. Each part calls the student's function on one
set of inputs and raises `CheckFailed` with a short, specific message when it is wrong.
The first part is the core: when it fails, the exercise scores 0 and the rest is skipped.
An exercise scores 0 as well when the function hands the work to one of the course
library's own implementations listed in `not_allowed` (rnnlab's LSTM for lesson 02, say).

In a solution notebook, each exercise has a graded cell whose hidden region is:

    from grader_tests.test_01_rnn_forward import grade
    grade("softmax")

It prints a report (one line per part, with a diagnostic for each failure) and evaluates to
the points earned, which nbgrader reads as the cell's partial credit.
"""

import contextlib
import json
import sys
import types
import warnings
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Callable

import numpy as np

from rnnlab.testing import CheckFailed, expect_close, expect_shape, first_difference

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
SHAPE_WORDS = ("shape", "dimension", "broadcast")


@dataclass
class Part:
    description: str
    weight: float
    check: Callable


@dataclass
class Result:
    exercise: str
    points: float
    score: float
    lines: list = field(default_factory=list)

    def report(self) -> str:
        return "\n".join([f"{self.exercise}: {self.score:g} / {self.points:g} points", *self.lines])


@cache
def reference(lesson: str) -> types.SimpleNamespace:
    """The solution notebook's setup and solution cells, executed: the reference answers."""
    notebook = json.loads((SOLUTIONS / f"{lesson}.ipynb").read_text())
    namespace: dict = {"__name__": f"reference_{lesson}"}
    for cell in notebook["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell["cell_type"] == "code" and (
            meta.get("solution") or meta.get("grade_id") == "setup"
        ):
            exec(
                compile("".join(cell["source"]), f"<{lesson}:{meta['grade_id']}>", "exec"),
                namespace,
            )
    return types.SimpleNamespace(**namespace)


@contextlib.contextmanager
def replaced_globals(function: Callable, replacements: dict):
    """Let `function` call the reference helpers, so one wrong exercise is not graded twice."""
    scope = getattr(function, "__globals__", {})
    missing = object()
    saved = {name: scope.get(name, missing) for name in replacements}
    scope.update(replacements)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is missing:
                scope.pop(name, None)
            else:
                scope[name] = value


@contextlib.contextmanager
def _quiet():
    """Keep warnings off stderr: nbgrader gives 0 points to a test cell that writes there."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield


def _explain_exception(error: Exception) -> str:
    if isinstance(error, NotImplementedError):
        return "your function still raises NotImplementedError: replace it with your code"
    if isinstance(error, ValueError) and any(w in str(error) for w in SHAPE_WORDS):
        return (
            f"shape error: {error}. Compare these shapes with the docstring's; a weight may need .T"
        )
    return f"your function raised {type(error).__name__}: {error}"


def _code_names(code: types.CodeType) -> set:
    """Global and attribute names a code object and the code nested in it refer to."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _code_names(const)
    return names


def _is_library(name: str, value) -> bool:
    """Whether `name` (a global's value `value`) is the course library or a module of it."""
    if isinstance(value, types.ModuleType):
        name = value.__name__
    return name == "rnnlab" or name.startswith("rnnlab.")


def library_answers(function: Callable, not_allowed: tuple, skip: tuple = ()) -> list:
    """Names of the `not_allowed` objects that `function` uses: called through a global name,
    through one of the notebook's own functions it calls (except those in `skip`), or reached
    as `rnnlab. ... .name` or imported inside it. The function itself may be one of them."""
    if any(function is banned for banned in not_allowed):
        return [function.__name__]
    banned_names = {banned.__name__ for banned in not_allowed}
    found, seen, todo = set(), set(), [function]
    while todo:
        current = todo.pop()
        code, scope = getattr(current, "__code__", None), getattr(current, "__globals__", {})
        if code is None or current in seen:
            continue
        seen.add(current)
        names = _code_names(code)
        reaches_library = any(_is_library(name, scope.get(name)) for name in names)
        for name in names:
            value = scope.get(name)
            if any(value is banned for banned in not_allowed):
                found.add(name)
            elif name in banned_names and value is None and reaches_library:
                found.add(name)
            elif isinstance(value, types.FunctionType) and value.__globals__ is scope:
                if name not in skip:
                    todo.append(value)
    return sorted(found)


class Exercise:
    """One graded function: weighted parts, each a check that raises CheckFailed."""

    def __init__(
        self, lesson: str, name: str, points: float, helpers: tuple = (), not_allowed: tuple = ()
    ):
        self.lesson = lesson
        self.name = name
        self.points = points
        self.helpers = helpers  # the student's functions it calls, replaced by the reference's
        self.not_allowed = not_allowed  # library objects that would do the exercise's work
        self.parts: list[Part] = []

    def part(self, description: str, weight: float = 1.0):
        def register(check: Callable) -> Callable:
            self.parts.append(Part(description, weight, check))
            return check

        return register

    def run(self, function: Callable) -> Result:
        ref = reference(self.lesson)
        result = Result(self.name, self.points, 0.0)
        if not callable(function):
            result.lines.append(f"  ✗ {self.name} is not a function")
            return result
        borrowed = library_answers(function, self.not_allowed, skip=self.helpers)
        if borrowed:
            result.lines.append(
                f"  ✗ {self.name} uses the course library's {', '.join(borrowed)}, which does "
                "this exercise's work: write the computation yourself"
            )
            return result
        replacements = {name: getattr(ref, name) for name in self.helpers}
        earned, total = 0.0, sum(p.weight for p in self.parts)
        with replaced_globals(function, replacements), _quiet():
            for index, part in enumerate(self.parts):
                try:
                    part.check(function, ref)
                except CheckFailed as failure:
                    result.lines.append(f"  ✗ {part.description}: {failure}")
                except Exception as error:  # the student's code failed
                    result.lines.append(f"  ✗ {part.description}: {_explain_exception(error)}")
                else:
                    earned += part.weight
                    result.lines.append(f"  ✓ {part.description}")
                    continue
                if index == 0:
                    result.lines.append("  (the other checks need this one to pass first)")
                    break
        result.score = round(self.points * earned / total, 2)
        return result

    def grade(self, function: Callable) -> float:
        """Print the report and return the points earned (nbgrader's partial credit)."""
        result = self.run(function)
        print(result.report())
        return result.score


def grader(exercises: tuple) -> Callable:
    """The `grade(name)` function of a lesson, called from its notebook's hidden tests.

    It looks the student's function up by name in the notebook's namespace, so a renamed or
    deleted function is reported in words rather than as a NameError traceback.
    """
    by_name = {exercise.name: exercise for exercise in exercises}

    def grade(name: str) -> float:
        exercise = by_name[name]
        notebook_globals = sys._getframe(1).f_globals
        if name not in notebook_globals:
            print(f"{name}: 0 / {exercise.points:g} points\n  ✗ there is no function named {name}")
            return 0.0
        return exercise.grade(notebook_globals[name])

    return grade


def sibling(function: Callable, name: str):
    """Another function of the notebook that defines `function`, or None.

    An exercise whose check needs a second student function (the forward pass that goes
    with a graded backward pass, say) asks for it here rather than through `__globals__`,
    so the same check works when the student's code runs in another process.
    """
    if hasattr(function, "sibling"):
        return function.sibling(name)
    return getattr(function, "__globals__", {}).get(name)


def expect_match(name: str, actual, expected, mistakes: dict, rtol=1e-6, atol=1e-8) -> None:
    """Like expect_close, but when `actual` equals a known wrong answer, name the mistake.

    mistakes: {description of the mistake: the array that mistake would produce}.
    """
    try:
        expect_close(name, actual, expected, rtol=rtol, atol=atol)
    except CheckFailed as failure:
        for mistake, wrong in mistakes.items():
            wrong = np.asarray(wrong)
            if (
                isinstance(actual, np.ndarray)
                and actual.shape == wrong.shape
                and first_difference(actual, wrong, rtol, atol, equal_nan=True) is None
            ):
                raise CheckFailed(f"{failure}. Likely mistake: {mistake}") from None
        raise


def expect_finite(name: str, actual) -> None:
    expect_shape(name, actual, np.shape(actual))
    if not np.all(np.isfinite(actual)):
        raise CheckFailed(f"{name} contains nan or inf")


def random_sizes(rng: np.random.Generator, names: str, low: int = 2, high: int = 7) -> dict:
    """Distinct random sizes, e.g. {"D": 3, "H": 5, "V": 4}, so swapped axes show up."""
    keys = names.split()
    values = rng.choice(np.arange(low, high + len(keys)), size=len(keys), replace=False)
    return {key: int(v) for key, v in zip(keys, values, strict=True)}
