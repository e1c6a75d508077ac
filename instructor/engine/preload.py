"""Imported once by the server that forks each student's grading process.

Everything a student's grading needs is loaded here, before the fork, so no student pays
for it: nbgrader and its exporters, the hidden tests of every lesson, and the reference
answers (the solution notebooks, executed), and the released lessons rendered for the
feedback pages (their Markdown and code are on every student's page).
"""

import nbformat
import nbgrader.apps.nbgraderapp  # noqa: F401

from grader_tests.catalog import exercises
from grader_tests.grading import master, reference
from instructor.engine import grader, remote, student  # noqa: F401
from instructor.engine.course import COURSE, lessons
from instructor.engine.nbgrader_plugins import FeedbackExporter

for _lesson in lessons():
    exercises(_lesson)
    master(_lesson)
    reference(_lesson)
    FeedbackExporter().warm_up(nbformat.read(COURSE / f"{_lesson}.ipynb", as_version=4))
