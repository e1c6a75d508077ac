"""One nbgrader gradebook for the whole class, holding the trusted scores.

Each student is autograded in a private course directory with a gradebook of its own, which
keeps the scores the student's kernel printed. After grading, the trusted scores (the ones
recorded in grades.csv) go into one class gradebook, so formgrader and `nbgrader export`
see the same numbers: `<out>/gradebook.db` (first a copy of the released course's), or the
database named by RNNLAB_GRADEBOOK_URL. A lesson it does not know yet is copied in, with
its graded cells, from the gradebook of the course directory the lessons were released in.
Each exercise's graded cell `grade_<function>` gets the trusted points as its automatic
score; a lesson the student did not submit gets no submission.
"""

import contextlib
import os
import shutil
import warnings
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from sqlalchemy import create_engine, text
from sqlalchemy.exc import SAWarning

LOCK_KEY = 727_2026  # the advisory lock of the class gradebook's writers


def class_gradebook_url(out: Path) -> str:
    """Where the class gradebook lives: RNNLAB_GRADEBOOK_URL, else <out>/gradebook.db."""
    return os.environ.get("RNNLAB_GRADEBOOK_URL") or f"sqlite:///{out / 'gradebook.db'}"


def write_class_gradebook(records: dict, lesson_ids: list, out: Path, template, sandbox=True):
    """Record every student's exercise scores, as the grader recorded them; the URL.

    records: {student_id: results record of instructor.grade}; template: the CourseDir the
    lessons were released in; the lessons the class gradebook lacks are copied from its.
    Each exercise's comment says which grader produced the score (and when the sandbox was
    off). Writers that share a server database take turns, a call at a time.
    """
    url = class_gradebook_url(out)
    if url.startswith("sqlite") and not (out / "gradebook.db").exists():
        # a copy of the released course's gradebook: its schema is made (nbgrader would
        # otherwise need its `alembic` command on PATH) and it knows the lessons
        shutil.copyfile(template.root / "gradebook.db", out / "gradebook.db")
    with writer_lock(url), Gradebook(url) as gradebook:
        for student_id, record in sorted(records.items()):
            gradebook.update_or_create_student(student_id)
            for lesson in lesson_ids:
                entry = record["lessons"].get(lesson, {})
                if entry.get("exercises"):
                    _ensure_lesson(gradebook, lesson, template)
                    _record_lesson(gradebook, lesson, student_id, entry, sandbox)
    return url


@contextlib.contextmanager
def writer_lock(url: str):
    """One writer at a time on a server database, from making its tables to the last score
    (a PostgreSQL advisory lock held by a connection of its own); SQLite locks its file."""
    if not url.startswith("postgresql"):
        yield
        return
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": LOCK_KEY})
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
    finally:
        engine.dispose()


def _record_lesson(gradebook, lesson: str, student_id: str, entry: dict, sandbox: bool) -> None:
    with warnings.catch_warnings():  # nbgrader's add_submission trips SQLAlchemy's autoflush
        warnings.simplefilter("ignore", SAWarning)  # notice; the rows are written all the same
        gradebook.update_or_create_submission(lesson, student_id)
    note = f"graded by instructor.grade, grader {entry.get('fingerprint', '')[:12]}"
    note += "" if sandbox else ", WITHOUT the sandbox (--no-sandbox): do not trust this score"
    for name, points in entry["exercises"].items():
        grade = gradebook.find_grade(f"grade_{name}", lesson, lesson, student_id)
        grade.auto_score = points
        grade.needs_manual_grade = False  # the grader's score is final
        try:
            gradebook.find_comment(name, lesson, lesson, student_id).auto_comment = note
        except MissingEntry:  # a gradebook made before solution cells were copied in
            pass
    gradebook.db.commit()


def _ensure_lesson(gradebook: Gradebook, lesson: str, template) -> None:
    """Copy the lesson, its notebook and its graded cells from the template's gradebook."""
    try:
        gradebook.find_assignment(lesson)
        return
    except MissingEntry:
        pass
    with Gradebook(f"sqlite:///{template.root / 'gradebook.db'}") as source:
        gradebook.add_assignment(lesson)
        for notebook in source.find_assignment(lesson).notebooks:
            gradebook.add_notebook(notebook.name, lesson)
            for cell in notebook.grade_cells:
                gradebook.add_grade_cell(
                    cell.name,
                    notebook.name,
                    lesson,
                    max_score=cell.max_score,
                    cell_type=cell.cell_type,
                )
            for cell in notebook.solution_cells:
                gradebook.add_solution_cell(cell.name, notebook.name, lesson)
