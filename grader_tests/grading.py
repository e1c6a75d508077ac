"""The grading framework behind every lesson's hidden tests.

An `Exercise` is a list of weighted parts. Each part calls the student's function on one
set of inputs and raises `CheckFailed` with a short, specific message when it is wrong.
The first part is the core: when it fails, the exercise scores 0 and the rest is skipped.
An exercise scores 0 as well when the function hands the work to one of the course
library's own implementations listed in `not_allowed` (rnnlab's LSTM for lesson 02, say),
which the grader reads in the submitted source (rnnlab.checks.code).

The student's function reaches a part as a *student function*: `LocalFunction` here (the
catalog runs answers in this process), or `instructor.engine.remote.RemoteFunction` when
the student's code runs in the grading sandbox. Both are called like the function and
offer `describe()`, `outside_data()`, `traced(...)`, `sibling(name)`, `origin(error)`,
`code` and `helpers_replaced(names, ref)`, so a part never needs to know where the code
runs.

In a solution notebook, each exercise's graded cell ends with the hidden region

    from autograde.client import serve

    serve("softmax")

whose client serves the grader's calls and prints the report it sends back.
"""

import contextlib
import copy
import json
import types
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Callable

import numpy as np

from autograde.names import replaced
from autograde.observe import cell_line, count_lines, outside_data, quiet, unfinished_helper
from grader_tests.recording import note
from rnnlab.checks import messages
from rnnlab.checks.compare import named_mistake
from rnnlab.testing import CheckFailed, expect_close

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"


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
def master(lesson: str) -> dict:
    """The solution notebook of `lesson` (parsed JSON)."""
    return json.loads((SOLUTIONS / f"{lesson}.ipynb").read_text())


@cache
def exercise_number(lesson: str, name: str) -> int:
    """The number of exercise `name` in its lesson: its graded cell's place among them."""
    graded = [
        cell["metadata"]["nbgrader"]["grade_id"]
        for cell in master(lesson)["cells"]
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade")
    ]
    return graded.index(f"grade_{name}") + 1


@cache
def reference(lesson: str) -> types.SimpleNamespace:
    """The solution notebook's setup and solution cells, executed: the reference answers."""
    notebook = master(lesson)
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


def _explain_exception(error: Exception, function, exercise: "Exercise") -> str:
    """The student's line for an exception their function raised (rnnlab.checks.messages),
    or for one of another notebook function it calls that is not done yet."""
    line, helper = function.origin(error)
    if helper:
        return messages.helper_untouched(helper, exercise.name)
    return messages.raised(
        type(error).__name__,
        str(error),
        line,
        number=exercise_number(exercise.lesson, exercise.name),
        name=exercise.name,
    )


class StopGrading(BaseException):
    """The student's code stopped answering (time limit, crash): the exercise ends here.

    A BaseException, so that the checks' `except Exception` cannot swallow it.
    """


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
        self.public_cases: list[PublicCase] = []

    def public(self, label: str, check: Callable, make: Callable) -> "PublicCase":
        """Declare a public case: check(function, ref, *make()) is one of the hidden checks,
        and its inputs, expected values and named mistakes ship to students (see
        grader_tests.public_cases). A hidden part must run it: `case.run(function, ref)`."""
        case = PublicCase(self, label, check, make)
        self.public_cases.append(case)
        return case

    def part(self, description: str, weight: float = 1.0):
        def register(check: Callable) -> Callable:
            self.parts.append(Part(description, weight, check))
            return check

        return register

    def run(self, function) -> Result:
        """Grade a student function (LocalFunction or RemoteFunction); the Result."""
        ref = reference(self.lesson)
        result = Result(self.name, self.points, 0.0)
        exists, is_callable = function.describe()
        if not is_callable:
            what = "is not a function" if exists else "is not defined: there is no function"
            result.lines.append(f"  ✗ {self.name} {what} named {self.name}")
            return result
        borrowed = function.code.library_uses(self.name, self.not_allowed, skip=self.helpers)
        if borrowed:
            result.lines.append(f"  ✗ {messages.library_use(self.name, borrowed)}")
            return result
        earned, total = 0.0, sum(p.weight for p in self.parts)
        before = Pristine()
        # stderr is not redirected: this is the grader's process (or the catalog's), whose
        # other threads write there; a graded cell discards its own (autograde.client)
        with function.helpers_replaced(self.helpers, ref), quiet(stderr=False):
            earned = self._run_parts(before.watch(function), before.reference(ref), result)
        result.score = round(min(self.points, self.points * earned / total), 2)
        return result

    def _run_parts(self, function, ref, result: Result) -> float:
        earned = 0.0
        for index, part in enumerate(self.parts):
            try:
                part.check(function, ref)
            except StopGrading as stop:
                result.lines.append(f"  ✗ {part.description}: grading stopped: {stop}")
                break
            except CheckFailed as failure:
                result.lines.append(f"  ✗ {part.description}: {failure}")
            except Exception as error:  # the student's code failed
                line = _explain_exception(error, function, self)
                result.lines.append(f"  ✗ {part.description}: {line}")
            else:
                earned += part.weight
                result.lines.append(f"  ✓ {part.description}")
                continue
            if index == 0:
                result.lines.append("  (the other checks need this one to pass first)")
                break
        return earned


class Pristine:
    """The arguments the student's function changed in place, as they were before its call.

    The checks call the student's function first and the reference after, often on the
    same arrays, params dict or layer. A function that zeroes its inputs would then be
    compared with the reference's answer for zeros, which it can give without computing
    anything. So the student's function is `watch`ed: each object reachable from its
    arguments is copied before the call and, if the call changed it, remembered; the
    `reference` hands the reference those copies instead. The "inputs unchanged" checks
    still see the change.
    """

    def __init__(self):
        self.changed: dict = {}  # {id(object): (object, its copy from before the call)}

    def watch(self, function) -> "_Watched":
        return _Watched(function, self)

    def reference(self, ref) -> "_PristineReference":
        return _PristineReference(ref, self)

    @contextlib.contextmanager
    def call(self, args: tuple, kwargs: dict):
        """Around one call of the student's function on args and kwargs."""
        objects = _mutable_objects((args, kwargs), {})
        copies = copy.deepcopy(objects)
        try:
            yield
        finally:
            for original, saved in zip(objects, copies, strict=True):
                if id(original) not in self.changed and not _same(original, saved):
                    self.changed[id(original)] = (original, saved)

    def restore(self, value, memo: dict):
        """`value` with every object the student's function changed as it was before."""
        found = self.changed.get(id(value))
        if found is not None and found[0] is value:
            return copy.deepcopy(found[1], memo)
        if type(value) in (list, tuple):
            items = [self.restore(item, memo) for item in value]
            same = all(a is b for a, b in zip(items, value, strict=True))
            return value if same else type(value)(items)
        if type(value) is dict:
            items = {key: self.restore(item, memo) for key, item in value.items()}
            same = all(items[key] is item for key, item in value.items())
            return value if same else items
        return value


def _mutable_objects(value, seen: dict) -> list:
    """The arrays, lists, dicts and layer objects reachable from `value`, each once."""
    if id(value) in seen:
        return []
    if isinstance(value, (np.ndarray, list, dict)) or _is_layer(value):
        seen[id(value)] = value
        found = [value]
    elif isinstance(value, tuple):
        found = []
    else:
        return []
    if isinstance(value, (list, tuple)):
        children = value
    elif isinstance(value, dict):
        children = value.values()
    elif _is_layer(value):
        children = vars(value).values()
    else:
        children = ()
    for child in children:
        found += _mutable_objects(child, seen)
    return found


def _is_layer(value) -> bool:
    return hasattr(value, "__dict__") and not isinstance(value, (type, types.FunctionType))


def _same(a, b) -> bool:
    """Whether `a` still holds what its copy `b` held (arrays compared element-wise)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        if a.shape != b.shape or a.dtype != b.dtype:
            return False
        if a.tobytes() == b.tobytes():  # the common case, and ten times faster
            return True
        return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[key], b[key]) for key in a)
    if _is_layer(a):
        return _same(vars(a), vars(b))
    if isinstance(a, (bool, int, float, complex, str, bytes, np.generic)) or a is None:
        return bool(a == b) or bool(a != a and b != b)  # nan stays nan
    return True  # something else (a random generator, say): not an input the checks read


class _Watched:
    """A student function (LocalFunction or RemoteFunction) whose calls Pristine records."""

    def __init__(self, function, pristine: Pristine):
        self.function, self.pristine = function, pristine

    def __getattr__(self, name):
        return getattr(self.function, name)

    def __call__(self, *args, **kwargs):
        with self.pristine.call(args, kwargs):
            return self.function(*args, **kwargs)

    def traced(self, *args, **kwargs) -> tuple:
        with self.pristine.call(args, kwargs):
            return self.function.traced(*args, **kwargs)

    def sibling(self, name: str) -> "_Watched":
        return _Watched(self.function.sibling(name), self.pristine)


class _PristineReference:
    """The reference answers, called on the arguments as they were before the student's
    function changed them (see Pristine)."""

    def __init__(self, ref, pristine: Pristine):
        self._ref, self._pristine = ref, pristine

    def __getattr__(self, name):
        value = getattr(self._ref, name)
        if not callable(value):
            return value

        def pristine_call(*args, **kwargs):
            memo: dict = {}
            args, kwargs = self._pristine.restore((args, kwargs), memo)
            return value(*args, **kwargs)

        return pristine_call


@dataclass
class PublicCase:
    """One case of the hidden tests that the visible check runs too (Exercise.public)."""

    exercise: Exercise
    label: str
    check: Callable
    make: Callable

    def run(self, function, ref):
        return self.check(function, ref, *self.make())


class LocalFunction:
    """A student function in this process: `namespace[name]`, looked up at each call.

    The catalog grades its answers this way; `code` is the notebook's StudentCode.
    """

    def __init__(self, namespace: dict, name: str, code):
        self.namespace, self.name, self.code = namespace, name, code

    def __call__(self, *args, **kwargs):
        return self.namespace[self.name](*args, **kwargs)

    def describe(self) -> tuple:
        value = self.namespace.get(self.name)
        return self.name in self.namespace, callable(value)

    def outside_data(self) -> list:
        return outside_data(self.namespace.get(self.name))

    def traced(self, *args, **kwargs) -> tuple:
        return count_lines(self.namespace[self.name], *args, **kwargs)

    def sibling(self, name: str) -> "LocalFunction":
        return LocalFunction(self.namespace, name, self.code)

    def origin(self, error: Exception) -> tuple:
        """(line of the function's cell, unfinished notebook function or "") where `error`
        was raised, read from its traceback."""
        function = self.namespace.get(self.name)
        return cell_line(function, error), unfinished_helper(function, error)

    def helpers_replaced(self, names: tuple, ref):
        """During the block, the notebook's `names` are the reference's."""
        return replaced(self.namespace, {name: getattr(ref, name) for name in names})


def sibling(function, name: str):
    """Another function of the student's notebook (the forward pass that goes with a graded
    backward pass, say), as a student function like `function`."""
    return function.sibling(name)


def expect_match(name: str, actual, expected, mistakes: dict, rtol=1e-6, atol=1e-8) -> None:
    """Like expect_close, but when `actual` equals a known wrong answer, name the mistake.

    mistakes: {description of the mistake: the array that mistake would produce}.
    """
    note("match", actual, name=name, mistakes=mistakes, tolerance=(rtol, atol))
    try:
        expect_close(name, actual, expected, rtol=rtol, atol=atol)
    except CheckFailed as failure:
        mistake = named_mistake(actual, mistakes, rtol, atol)
        if mistake:
            raise CheckFailed(messages.likely(str(failure), mistake)) from None
        raise


def expect_finite(name: str, actual) -> None:
    if not isinstance(actual, np.ndarray) or actual.dtype.kind not in "biuf":
        raise CheckFailed(messages.wrong_type(name, actual, np.shape(actual)))
    if not np.all(np.isfinite(actual)):
        raise CheckFailed(messages.not_finite(name, actual))


def expect_results(name: str, outputs, labels: tuple) -> tuple:
    """The values a function returned, as a tuple; fail unless it returned len(labels)
    values, as a tuple or a list (what counts is their order and their values)."""
    note("results", outputs, labels=labels)
    if not isinstance(outputs, (tuple, list)) or len(outputs) != len(labels):
        raise CheckFailed(messages.count(name, outputs, len(labels), labels))
    return tuple(outputs)


def random_sizes(rng: np.random.Generator, names: str, low: int = 2, high: int = 7) -> dict:
    """Distinct random sizes, e.g. {"D": 3, "H": 5, "V": 4}, so swapped axes show up."""
    keys = names.split()
    values = rng.choice(np.arange(low, high + len(keys)), size=len(keys), replace=False)
    return {key: int(v) for key, v in zip(keys, values, strict=True)}
