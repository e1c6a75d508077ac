"""A catalog of answers per exercise: realistic mistakes and correct variants.

Each lesson has a module `answers_<lesson>.py` with a list `ANSWERS`. An answer is the
source of one solution cell as a student might write it. A wrong answer names the
diagnostic the student must see; a right one must get full marks. The test suite runs every
answer against the hidden tests directly (`run_answer`) and against the visible checks
(`run_visible`): a wrong answer must fail them too, unless it says why only the hidden
cases can tell it apart (`hidden_only`); a right one must pass them. The sample class sends
some of the answers through a full nbgrader autograde.
"""

import importlib
from dataclasses import dataclass

from grader_tests.grading import Exercise, LocalFunction, Result, master, reference
from rnnlab.checks.code import StudentCode
from rnnlab.checks.public import Report, run_public


@dataclass(frozen=True)
class Answer:
    cell: str  # grade_id of the solution cell it replaces (also the function's name)
    name: str  # short label, e.g. "naive softmax"
    code: str  # the whole cell source
    diagnostic: str = ""  # for a wrong answer: text the report must contain
    hidden_only: str = ""  # for a wrong answer the public cases pass: why only hidden ones can

    @property
    def wrong(self) -> bool:
        return bool(self.diagnostic)


def answers(lesson: str) -> list[Answer]:
    return importlib.import_module(f"grader_tests.answers_{lesson}").ANSWERS


def exercises(lesson: str) -> dict[str, Exercise]:
    """{function name: Exercise} of a lesson's hidden tests."""
    module = importlib.import_module(f"grader_tests.test_{lesson}")
    return {exercise.name: exercise for exercise in module.EXERCISES}


def _answer_namespace(lesson: str, answer: Answer) -> tuple:
    """(namespace, StudentCode): the reference notebook with this answer's cell replaced."""
    namespace = dict(vars(reference(lesson)))
    exec(compile(answer.code, f"<answer {answer.name}>", "exec"), namespace)
    return namespace, StudentCode.of_master(master(lesson), {answer.cell: answer.code})


def run_answer(lesson: str, answer: Answer, kind: type = LocalFunction) -> Result:
    """Grade one answer directly with the hidden tests; `kind`: the LocalFunction (sub)class
    that calls the student's function."""
    namespace, code = _answer_namespace(lesson, answer)
    return exercises(lesson)[answer.cell].run(kind(namespace, answer.cell, code))


def run_visible(lesson: str, answer: Answer) -> Report:
    """Run one answer through the visible checks, as `check(name)` does in the notebook."""
    namespace, code = _answer_namespace(lesson, answer)
    return run_public(answer.cell, namespace, code)
