"""One student's grading, start to finish: their notebooks in, their record and feedback out.

`grade_student(task, template, private)` runs in a process of its own (forked from a
server that has nbgrader and the hidden tests loaded, see `run_in_process`):

1. the student's valid notebooks are staged in a private copy of the course directory;
2. a sandbox starts (instructor.engine.sandbox) and the grader listens for it
   (instructor.engine.grader);
3. `nbgrader autograde` runs each notebook once, in a kernel forked inside the sandbox;
   each graded cell's client asks the grader to grade its exercise;
4. `nbgrader generate_feedback` turns the autograded notebooks into HTML.

The record holds the grader's scores (never what the notebook printed), each exercise's
report, one-line flags for a human look, and the feedback HTML. Nothing the student's code
wrote is read back: only nbgrader's notebooks, produced outside the sandbox.
"""

import json
import multiprocessing
import os
import select
import signal
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.apps.nbgraderapp import NbGraderApp

from grader_tests.catalog import exercises
from grader_tests.grading import master
from instructor.engine.course import CourseDir
from instructor.engine.flags import one_line
from instructor.engine.grader import Grader
from instructor.engine.provisioner import stop_kernel, use_local, use_sandbox
from instructor.engine.sandbox import Limits, Sandbox, SandboxUnavailable
from rnnlab.checks.code import StudentCode

FAULTS = ("did not finish", "MemoryError", "RecursionError", "grading stopped")
STEPS = ("autograde", "generate_feedback")
_SERVER = multiprocessing.get_context("forkserver")
_SERVER.set_forkserver_preload(["instructor.engine.preload"])


@dataclass(frozen=True)
class Settings:
    """What a grading run may not change between students (part of the fingerprint)."""

    cell_seconds: int = 60  # nbgrader's time limit per cell
    sandbox: bool = True  # False only with --no-sandbox: then every output says so
    limits: Limits = field(default_factory=Limits)

    @property
    def exercise_seconds(self) -> int:
        """The grader's time for one exercise: less than the cell's, so its report arrives."""
        return max(2, self.cell_seconds - 5)

    def task_seconds(self, notebooks: int) -> float:
        """The longest a student's whole task may take before it is killed (a notebook's
        kernel is killed at its second cell timeout, see instructor.engine.provisioner)."""
        return 60 + notebooks * (5 * self.cell_seconds + 60)


@dataclass
class Task:
    student_id: str
    notebooks: dict  # {lesson: the submitted notebook, parsed and valid}
    settings: Settings


def grade_student(task: Task, template: Path, private: Path) -> dict:
    """Grade `task` in this process (see the module docstring); the student's record."""
    course = CourseDir.copy_of(CourseDir(template, fresh=False), private / "course")
    restored = {}
    for lesson, notebook in task.notebooks.items():
        release = json.loads(course.path("release", lesson, f"{lesson}.ipynb").read_text())
        staged, restored[lesson] = restore_graded_cells(notebook, release)
        target = course.path("submitted", task.student_id, lesson, f"{lesson}.ipynb")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(staged))
    codes = {
        lesson: StudentCode.from_notebook(notebook, master(lesson))
        for lesson, notebook in task.notebooks.items()
    }
    sandbox = Sandbox(private / "sandbox", task.settings.limits) if task.settings.sandbox else None
    socket_path = sandbox.socket_path if sandbox else private / "grader.sock"
    grader = Grader(socket_path, codes, task.settings.exercise_seconds, stop_kernel)
    try:
        grader.start()
        if sandbox:
            sandbox.start()
            use_sandbox(sandbox, grader.begin, grader.end)
        else:
            use_local(socket_path, grader.begin, grader.end)
        failed = _run_nbgrader(course, task)
        entries = {
            lesson: _entry(lesson, grader, codes[lesson], course, task.student_id, failed)
            for lesson in task.notebooks
        }
        for lesson, names in restored.items():
            if names:
                note = f"the graded cells of {', '.join(names)} were deleted: put back and graded"
                entries[lesson]["flags"].insert(0, note)
        return {
            "lessons": entries,
            "feedback": _products(course, task, "feedback", ".html"),
            "autograded": _products(course, task, "autograded", ".ipynb"),
        }
    finally:
        grader.close()
        if sandbox:
            sandbox.stop()


def restore_graded_cells(notebook: dict, release: dict) -> tuple[dict, list]:
    """The notebook with any graded cell of the release that it lacks put back after the
    release cell before it (nbgrader then restores its hidden tests); and the exercises
    whose graded cells were missing. (nbgrader's own add_missing_cells fails when the cell
    before a graded cell is a locked one, as ours are.)"""

    def grade_id(cell):
        return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")

    cells, missing = list(notebook["cells"]), []
    present = {grade_id(cell) for cell in cells}
    for index, cell in enumerate(release["cells"]):
        if cell["metadata"].get("nbgrader", {}).get("grade") and grade_id(cell) not in present:
            before = {grade_id(c) for c in release["cells"][:index]} - {None}
            position = max((i + 1 for i, c in enumerate(cells) if grade_id(c) in before), default=0)
            cells.insert(position, cell)
            present.add(grade_id(cell))
            missing.append(grade_id(cell).removeprefix("grade_"))
    return {**notebook, "cells": cells}, missing


def _run_nbgrader(course: CourseDir, task: Task) -> str:
    """nbgrader autograde and generate_feedback here; "" or what failed."""
    log = os.open(course.root / "nbgrader.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    saved = os.dup(1), os.dup(2)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.chdir(course.root)
    os.environ.update(course.environment())
    arguments = [
        "*",
        f"--student={task.student_id}",
        "--force",
        f"--CourseDirectory.root={course.root}",
        f"--CourseDirectory.db_url=sqlite:///{course.root / 'gradebook.db'}",
        f"--Execute.timeout={task.settings.cell_seconds}",
    ]
    try:
        codes = {step: _launch([step, *arguments]) for step in STEPS}
    finally:
        for target, fd in zip((1, 2), saved, strict=True):
            os.dup2(fd, target)
            os.close(fd)
        os.close(log)
    return ", ".join(f"nbgrader {step} exited with {code}" for step, code in codes.items() if code)


def _launch(argv: list) -> int:
    NbGraderApp.clear_instance()
    try:
        NbGraderApp.launch_instance(argv=argv)
    except SystemExit as exit:
        return exit.code if isinstance(exit.code, int) else 1
    return 0


def _notebook_score(course: CourseDir, lesson: str, student_id: str) -> float | None:
    """The score nbgrader recorded from the notebook's own outputs, or None."""
    from nbgrader.api import Gradebook, MissingEntry

    try:
        with Gradebook(f"sqlite:///{course.root / 'gradebook.db'}") as gradebook:
            return float(gradebook.find_submission(lesson, student_id).score)
    except MissingEntry:
        return None


def _entry(lesson, grader: Grader, code, course: CourseDir, student_id, failed: str) -> dict:
    """One lesson's part of the record: the grader's scores, reports and flags."""
    results, flags = grader.results.get(lesson, {}), []
    problems = code.problems()
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        flags.append(f"not graded: {problems[0]}{more}")
    scores, reports = {}, {}
    for name, exercise in exercises(lesson).items():
        result = results.get(name)
        if result is None:
            reports[name] = f"{name}: 0 / {exercise.points:g} points\n  ✗ not graded"
            if not problems:
                flags.append(f"{name} was not graded: the notebook stopped before its graded cell")
            scores[name] = 0.0
            continue
        scores[name] = max(0.0, min(float(result.score), float(exercise.points)))
        reports[name] = result.report()
        fault = next((f for f in FAULTS if f in reports[name]), None)
        if fault:
            flags.append(f"{name}: {fault}")
    shown = _notebook_score(course, lesson, student_id)
    total = round(sum(scores.values()), 2)
    if shown is not None and abs(shown - total) > 0.01:
        flags.append(f"notebook showed {shown:g} points, the grader recorded {total:g}")
    if failed and shown is None:
        flags.append(f"the notebook could not be run ({failed})")
    return {
        "exercises": scores,
        "reports": reports,
        "flags": [one_line(flag) for flag in flags],
        "notebook_score": shown,
    }


def _products(course: CourseDir, task: Task, step: str, suffix: str) -> dict:
    """{lesson: text} of the files nbgrader made in `step` (feedback HTML, autograded
    notebook); never anything else of the folder the notebook ran in."""
    found = {}
    for lesson in task.notebooks:
        page = course.path(step, task.student_id, lesson, f"{lesson}{suffix}")
        if page.is_file() and not page.is_symlink():
            found[lesson] = page.read_text(errors="replace")
    return found


def _die_with(requester: int) -> None:
    """SIGKILL this process's group (the caller's own session) when the process `requester`
    exits: a student's grading, and its sandbox, which dies with its parent, stop with the
    Dask worker or grading run that asked for them rather than running on, unread."""
    try:
        requester_fd = os.pidfd_open(requester)
    except ProcessLookupError:  # it was already gone
        os._exit(1)

    def watch():
        select.select([requester_fd], [], [])
        os.killpg(0, signal.SIGKILL)

    threading.Thread(target=watch, daemon=True).start()


def _child(task: Task, template: str, private: str, connection, requester: int) -> None:
    """The forked process: a session of its own (to be killed whole) that dies with the
    `requester`, then the task."""
    os.setsid()
    _die_with(requester)
    try:
        result = grade_student(task, Path(template), Path(private))
    except SandboxUnavailable as error:
        result = {"fatal": str(error)}
    except Exception as error:  # a fault in grading this student: recorded, run goes on
        result = {"error": one_line(f"{type(error).__name__}: {error}")}
    connection.send(result)
    connection.close()
    sys.stdout.flush()
    os._exit(0)


def start_server() -> None:
    """Start the server that forks each student's grading process (it loads
    instructor.engine.preload, a few seconds) now rather than at the first student."""
    process = _SERVER.Process(target=int)
    process.start()
    process.join()


def run_in_process(task: Task, template: Path, private: Path) -> dict:
    """Grade `task` in a forked process with a deadline; the record, or {"error": ...}
    when the process died or ran out of time, or {"fatal": ...} when the sandbox failed."""
    receiver, sender = _SERVER.Pipe(duplex=False)
    args = (task, str(template), str(private), sender, os.getpid())
    process = _SERVER.Process(target=_child, args=args)
    process.start()
    sender.close()
    deadline = task.settings.task_seconds(len(task.notebooks))
    try:
        result = receiver.recv() if receiver.poll(deadline) else None
    except EOFError:  # it died before it could send
        result = None
    if result is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except OSError:
            process.kill()
    process.join()
    receiver.close()
    if result is None:
        reason = "ran out of time" if process.exitcode in (None, -9) else "died"
        return {"error": f"the grading process {reason} (exit code {process.exitcode})"}
    return result
