"""Every catalogued answer, graded directly by the hidden tests (no notebook execution)."""

import pytest

from autograde.client import raised
from grader_tests.catalog import answers, exercises, run_answer, run_visible
from grader_tests.grading import LocalFunction, master, reference
from instructor.catalog_report import VISIBLE_TARGET
from instructor.engine.course import lessons
from instructor.engine.remote import RemoteFunction, _student_error
from rnnlab.checks.code import StudentCode
from rnnlab.layers import NotRunError

CASES = [(lesson, answer) for lesson in lessons() for answer in answers(lesson)]


def _id(case):
    lesson, answer = case
    return f"{lesson}:{answer.cell}:{answer.name}"


@pytest.mark.parametrize("lesson", lessons())
def test_the_solution_gets_full_marks(lesson):
    namespace, code = dict(vars(reference(lesson))), StudentCode.of_master(master(lesson))
    for name, exercise in exercises(lesson).items():
        result = exercise.run(LocalFunction(namespace, name, code))
        assert result.score == exercise.points, result.report()


@pytest.mark.parametrize("lesson", lessons())
def test_each_exercise_has_five_mistakes_and_two_correct_variants(lesson):
    for name in exercises(lesson):
        mine = [answer for answer in answers(lesson) if answer.cell == name]
        assert sum(a.wrong for a in mine) >= 5, f"{name}: fewer than 5 wrong answers"
        assert sum(not a.wrong for a in mine) >= 2, f"{name}: fewer than 2 correct variants"


class SandboxedFunction(LocalFunction):
    """A LocalFunction whose exceptions reach the checks as they do from the sandbox: the
    client's reply (autograde.client) rebuilt by the grader (instructor.engine.remote), so
    a course exception such as NotRunError arrives as a plain Exception of that name, with
    the line and unfinished function the client found for the exercise's function."""

    def __init__(self, namespace, name, code, exercise=None):
        super().__init__(namespace, name, code)
        self.exercise = exercise or name

    def __call__(self, *args, **kwargs):
        return self._from_sandbox(super().__call__, *args, **kwargs)

    def traced(self, *args, **kwargs) -> tuple:
        return self._from_sandbox(super().traced, *args, **kwargs)

    def sibling(self, name: str) -> "SandboxedFunction":
        return SandboxedFunction(self.namespace, name, self.code, self.exercise)

    origin = staticmethod(RemoteFunction.origin)

    def _from_sandbox(self, call, *args, **kwargs):
        try:
            return call(*args, **kwargs)
        except Exception as error:
            reply = raised(error, self.namespace.get(self.exercise))
            raise _student_error(reply) from None


def test_a_course_exception_comes_back_from_the_sandbox_as_a_plain_exception():
    rebuilt = _student_error(raised(NotRunError("Softmax.backward was called before ..."), None))
    assert type(rebuilt).__name__ == "NotRunError" and not isinstance(rebuilt, RuntimeError)
    assert str(rebuilt) == "Softmax.backward was called before ..."


@pytest.mark.parametrize("kind", [LocalFunction, SandboxedFunction], ids=["local", "sandbox"])
@pytest.mark.parametrize("case", CASES, ids=[_id(case) for case in CASES])
def test_answer_is_graded_as_catalogued(case, kind):
    lesson, answer = case
    result = run_answer(lesson, answer, kind)
    report = result.report()
    if answer.wrong:
        assert result.score < result.points, f"wrong answer got full marks:\n{report}"
        assert answer.diagnostic in report, f"diagnostic {answer.diagnostic!r} missing:\n{report}"
    else:
        assert result.score == result.points, f"correct answer lost points:\n{report}"


def test_a_missing_or_uncallable_function_scores_zero_with_a_message():
    code = StudentCode.of_master(master("01_rnn_forward"))
    softmax = exercises("01_rnn_forward")["softmax"]
    missing = softmax.run(LocalFunction({}, "softmax", code))
    assert missing.score == 0.0 and "there is no function named softmax" in missing.report()
    not_callable = softmax.run(LocalFunction({"softmax": 3}, "softmax", code))
    assert not_callable.score == 0.0 and "softmax is not a function" in not_callable.report()


def test_every_exercise_has_public_cases_under_a_unique_name():
    names = [name for lesson in lessons() for name in exercises(lesson)]
    assert len(names) == len(set(names)), "check(name) finds an exercise by its name alone"
    for lesson in lessons():
        for name, exercise in exercises(lesson).items():
            assert exercise.public_cases, f"{lesson}: {name} has no public case"


@pytest.mark.parametrize("case", CASES, ids=[_id(case) for case in CASES])
def test_answer_meets_the_visible_checks_as_catalogued(case):
    lesson, answer = case
    report = run_visible(lesson, answer)
    if answer.wrong and not answer.hidden_only:
        assert report.failures, f"the visible checks pass a wrong answer:\n{report.text()}"
    else:
        assert not report.failures, f"the visible checks fail this answer:\n{report.text()}"


@pytest.mark.parametrize("lesson", lessons())
def test_the_visible_checks_catch_enough_of_each_lessons_mistakes(lesson):
    public = [a for a in answers(lesson) if a.wrong and not a.hidden_only]
    caught = sum(bool(run_visible(lesson, a).failures) for a in public)
    assert caught >= VISIBLE_TARGET * len(public), f"{caught} of {len(public)}"
