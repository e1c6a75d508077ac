"""The baseline's hidden tests: plain nbgrader, the hidden tests run in the student's kernel.

Only benchmarks/grade_class.py uses this, to time what an instructor without this course's
grader would run: `nbgrader autograde` with graded cells whose hidden region is

    from benchmarks.inkernel import grade_here
    grade_here("01_rnn_forward", "softmax")

(unsafe by design: the student's code shares the kernel with the tests).
"""

import sys

from grader_tests.catalog import exercises
from grader_tests.grading import LocalFunction, master
from rnnlab.checks.code import StudentCode


def grade_here(lesson: str, name: str) -> float:
    """Grade `name` from the calling notebook's namespace; print the report, return points."""
    namespace = sys._getframe(1).f_globals
    result = exercises(lesson)[name].run(
        LocalFunction(namespace, name, StudentCode.of_master(master(lesson)))
    )
    print(result.report())
    return result.score
