"""A catalog of answers per exercise: realistic mistakes and correct variants.

Each lesson has a module `answers_<lesson>.py` with a list `ANSWERS`. An answer is the
source of one solution cell as a student might write it. A wrong answer names the
diagnostic the student must see; a right one must get full marks. The test suite runs every
answer against the hidden tests directly, and the sample class sends some of them through a
full nbgrader autograde.
"""

import importlib
from dataclasses import dataclass

from grader_tests.grading import Exercise, LocalFunction, Result, master, reference
from rnnlab.checks.code import StudentCode


@dataclass(frozen=True)
class Answer:
    cell: str  # grade_id of the solution cell it replaces (also the function's name)
    name: str  # short label, e.g. "naive softmax"
    code: str  # the whole cell source
    diagnostic: str = ""  # for a wrong answer: text the report must contain

    @property
    def wrong(self) -> bool:
        return bool(self.diagnostic)


def answers(lesson: str) -> list[Answer]:
    return importlib.import_module(f"grader_tests.answers_{lesson}").ANSWERS


def exercises(lesson: str) -> dict[str, Exercise]:
    """{function name: Exercise} of a lesson's hidden tests."""
    module = importlib.import_module(f"grader_tests.test_{lesson}")
    return {exercise.name: exercise for exercise in module.EXERCISES}


def run_answer(lesson: str, answer: Answer) -> Result:
    """Grade one answer directly: the reference namespace with this cell replaced."""
    namespace = dict(vars(reference(lesson)))
    exec(compile(answer.code, f"<answer {answer.name}>", "exec"), namespace)
    code = StudentCode.of_master(master(lesson), {answer.cell: answer.code})
    return exercises(lesson)[answer.cell].run(LocalFunction(namespace, answer.cell, code))
