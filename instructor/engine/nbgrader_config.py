"""nbgrader configuration of the course, copied into every course directory the tools make.

The course directory itself (source/, release/, submitted/, autograded/, feedback/ and the
SQLite gradebook) is a working folder under build/, made by the instructor tools and never
committed; solutions/ and course/ at the top of the repository are its source and release.
"""

import os

from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    ClearHiddenTests,
    GetGrades,
    IgnorePattern,
    LimitOutput,
    SaveAutoGrades,
)

from instructor.engine.nbgrader_plugins import (
    CapOutputs,
    ExecuteToTheEnd,
    FeedbackExporter,
    PlainStudentText,
)

c = get_config()  # noqa: F821 (injected by traitlets)

c.CourseDirectory.course_id = "rnn-attention"
# The gradebook is SQLite (gradebook.db in the course directory, made on demand) unless
# RNNLAB_GRADEBOOK_URL names another database, e.g. postgresql+psycopg2://grader@dbhost/course.
if os.environ.get("RNNLAB_GRADEBOOK_URL"):
    c.CourseDirectory.db_url = os.environ["RNNLAB_GRADEBOOK_URL"]

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# A cell that runs longer than this is stopped; the notebook's remaining cells still run.
c.Execute.timeout = int(os.environ.get("RNNLAB_CELL_TIMEOUT", "60"))
c.Execute.interrupt_on_timeout = True
# After the last cell the kernel is killed, not asked to stop and then polled (0.1 s each);
# it is ready when it answers, without 0.2 s more of waiting (PromptClient).
c.Execute.shutdown_kernel = "immediate"
c.AsyncKernelManager.client_class = "instructor.engine.provisioner.PromptClient"

# A notebook whose kernel dies is still graded (to that point); outputs are kept small and
# plain, with no HTML or JavaScript from the student's kernel, and the student's own Markdown
# and raw cells are shown as text (feedback and formgrader render Markdown's HTML as it is).
c.Autograde.autograde_preprocessors = [
    ExecuteToTheEnd,
    CapOutputs,
    PlainStudentText,
    IgnorePattern,
    ClearMetadataPreprocessor,
    LimitOutput,
    SaveAutoGrades,
    AssignLatePenalties,
    CheckCellMetadata,
]

# Feedback shows each test's printed report, never the hidden test code.
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, CSSHTMLHeaderPreprocessor]
c.GenerateFeedback.exporter_class = FeedbackExporter
