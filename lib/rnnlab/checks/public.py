"""The visible checks: `check("softmax")` at the top of each exercise's graded cell.

    from rnnlab.checks.public import check     # in each lesson's setup cell
    check("rnn_cell_forward")                  # in the graded cell

`check(name)` runs the exercise's *public cases* on the student's function and prints one
line per case, naming the value and the element that differ and the likely mistake, as
the hidden report does (the same words: rnnlab.checks.messages). When anything fails it
writes exactly one short line to stderr, the summary, so nbgrader's Validate fails on this
cell with that line; a passing exercise writes nothing there. While nbgrader autogrades
(NBGRADER_EXECUTION=autograde) it does nothing: the hidden tests run the same cases and more.

The public cases live in the hidden tests (grader_tests), next to the hidden ones; the
release writes their inputs, expected results and the results of each named mistake to
`rnnlab/data/public/<lesson>.wire` (see rnnlab.checks.casefile). No reference code ships.
Before running anything, `check` also reads the function's cell: a construct the grader
refuses (rnnlab.checks.code) or a course-library function that does the exercise's work
would cost the whole exercise, so it says so now.
"""

import copy
import importlib
import linecache
import os
import sys
import types
from dataclasses import dataclass, field

import numpy as np

from autograde.observe import cell_line, outside_data, quiet, unfinished_helper
from rnnlab.checks import casefile, messages
from rnnlab.checks.code import Cell, StudentCode
from rnnlab.checks.compare import changed_inputs, first_problem


@dataclass
class Report:
    """The visible checks of one exercise: a line per check, and the failures.

    untouched: the line that says the exercise is not done yet (messages.untouched).
    """

    name: str
    untouched: str
    lines: list = field(default_factory=list)
    failures: list = field(default_factory=list)
    checks: int = 0

    def passed(self, label: str) -> None:
        self.checks += 1
        self.lines.append(f"  ✓ {label}")

    def failed(self, label: str, line: str) -> None:
        self.checks += 1
        self.failures.append(line)
        self.lines.append(f"  ✗ {label}: {line}" if label else f"  ✗ {line}")

    def text(self) -> str:
        if not self.failures:
            head = f"{self.name}: " + (
                "the visible check passes" if self.checks == 1
                else f"all {self.checks} visible checks pass"
            )  # fmt: skip
            return "\n".join([head, *self.lines, "  (graded when you submit, with more cases)"])
        return "\n".join([f"{self.name}: visible checks", *self.lines])

    def summary(self) -> str:
        """The one line for stderr ("" when everything passed)."""
        if not self.failures:
            return ""
        if self.checks == 1 or self.failures[0] == self.untouched:
            return self.failures[0]
        many = len(self.failures)
        return (
            f"{self.name}: {many} of {self.checks} checks fail (first: {self.failures[0]})"
        )


def notebook_code(namespace: dict, name: str) -> StudentCode:
    """The cells that define the notebook's functions; the one defining `name` is the
    student's own (checked against the rules), the others are read for helpers."""
    functions = [v for v in namespace.values() if isinstance(v, types.FunctionType)]
    mine = getattr(namespace.get(name), "__code__", None)
    files = dict.fromkeys(f.__code__.co_filename for f in functions)
    cells = [
        Cell(f"cell {name}" if mine and path == mine.co_filename else "another cell",
             "".join(linecache.getlines(path)), bool(mine and path == mine.co_filename))
        for path in files
    ]  # fmt: skip
    return StudentCode([cell for cell in cells if cell.source])


def _resolve(qualified: str):
    module, _, attribute = qualified.rpartition(".")
    return getattr(importlib.import_module(module), attribute)


def code_problems(spec: dict, name: str, code: StudentCode) -> list:
    """Lines for what the grader refuses in the notebook's code, before anything runs."""
    lines = [f"{problem}: the grader gives 0 points to a notebook that does this"
             for problem in code.problems()]  # fmt: skip
    banned = tuple(_resolve(q) for q in spec.get("not_allowed", ()))
    borrowed = code.library_uses(name, banned, skip=tuple(spec.get("helpers", ())))
    if borrowed:
        lines.append(messages.library_use(name, borrowed))
    return lines


def _arrays(value, name: str) -> dict:
    """{name: array} of the arrays in an argument (a dict of weights gives its keys)."""
    if isinstance(value, dict):
        return {key: v for key, v in value.items() if isinstance(v, np.ndarray)}
    return {name: value} if isinstance(value, np.ndarray) else {}


def run_call(function, call: dict, spec: dict, name: str) -> str:
    """Run one public call; "" when it passes, else the line that says what is wrong."""
    args, kwargs = copy.deepcopy(call["args"]), copy.deepcopy(call.get("kwargs", {}))
    with quiet():
        try:
            result = function(*args, **kwargs)
        except Exception as error:  # the student's code failed: say how
            helper = unfinished_helper(function, error)
            if helper:
                return messages.helper_untouched(helper, name)
            inputs = {}
            for arg_name, value in zip(call["arg_names"], call["args"], strict=False):
                inputs.update(_arrays(value, arg_name))
            return messages.raised(
                type(error).__name__, str(error), cell_line(function, error), inputs,
                spec["number"], name,
            )  # fmt: skip
    problem = first_problem(result, call, name, args)
    if problem:
        return problem
    for arg_name, old, new in zip(call["arg_names"], call["args"], args, strict=False):
        changed = changed_inputs(old, new, arg_name)
        if changed:
            return messages.changed_input(changed)
    found = outside_data(function) if call.get("own_data") else []
    return messages.outside_data(name, found, call["own_data"]) if found else ""


def run_public(name: str, namespace: dict, code: StudentCode | None = None) -> Report:
    """The visible checks of exercise `name` on the function `namespace[name]`."""
    spec = casefile.exercise(name)
    report = Report(name, messages.untouched(spec["number"], name))
    function = namespace.get(name)
    if not callable(function):
        report.failed("", f"there is no function named {name}: run the cell that defines it")
        return report
    if isinstance(function, types.FunctionType):
        for line in code_problems(spec, name, code or notebook_code(namespace, name)):
            report.failed("", line)
    for call in spec["calls"]:
        line = run_call(function, call, spec, name)
        if not line:
            report.passed(call["label"])
            continue
        if line == report.untouched:  # nothing else to say
            report.failed("", line)
            break
        report.failed(call["label"], line)
    return report


def check(name: str) -> None:
    """Run the visible checks of exercise `name` on the caller's function of that name;
    print the report; one line on stderr when anything fails. Silent while autograding."""
    if os.environ.get("NBGRADER_EXECUTION") == "autograde":
        return None
    report = run_public(name, sys._getframe(1).f_globals)
    print(report.text(), flush=True)
    if report.summary():
        print(report.summary(), file=sys.stderr, flush=True)
    return None
