"""Imported once by the server that forks each student's grading process.

Everything a student's grading needs is loaded here, before the fork, so no student pays
for it: nbgrader and its exporters, the hidden tests of every lesson, and the reference
answers (the solution notebooks, executed).
"""

import nbconvert.exporters.html  # noqa: F401
import nbgrader.apps.nbgraderapp  # noqa: F401

from grader_tests.catalog import exercises
from grader_tests.grading import master, reference
from instructor.engine import grader, nbgrader_plugins, remote, student  # noqa: F401
from instructor.engine.course import lessons

for _lesson in lessons():
    exercises(_lesson)
    master(_lesson)
    reference(_lesson)
