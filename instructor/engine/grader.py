"""The grader: outside the sandbox, it grades each graded cell of a student's notebooks.

It listens on a Unix socket that the sandbox sees read-only at /run/grader. When a graded
cell's client (autograde.client.serve) connects and names its exercise, the grader runs
that exercise's hidden tests (grader_tests) against a RemoteFunction, then sends the
report back for the notebook to print. The score it records is its own, capped at the
exercise's points; what the notebook prints afterwards changes nothing.

Each exercise is graded at most once per notebook run, and only the exercises of the
notebook that runs now (set by `begin(lesson)`, told by the kernel provisioner). A
notebook whose own code uses constructs graded code may not use (rnnlab.checks.code) is not
graded: each of its exercises gets 0 and a report that says why.
"""

import socket
import threading
import time
from pathlib import Path

from autograde import wire
from grader_tests.catalog import exercises
from grader_tests.grading import Result, StopGrading, master
from instructor.engine.course import lessons
from instructor.engine.remote import RemoteFunction, Session
from rnnlab.checks.code import StudentCode

HELLO_SECONDS = 10  # a connection that does not name its exercise in time is dropped


class Grader:
    """Serves the graded cells of one student's notebooks.

    codes: {lesson: StudentCode} of the submitted notebooks; without it (the solutions under
    nbval) the lesson is found from the exercise's name and the code is the master's.
    """

    def __init__(self, socket_path: Path, codes: dict | None, exercise_seconds: int, stuck=None):
        self.socket_path, self.codes = Path(socket_path), codes
        self.exercise_seconds = exercise_seconds
        self.stuck = stuck or (lambda: None)  # called when a kernel stops answering in time
        self.current: str | None = None
        self.results: dict = {}  # {lesson: {exercise: Result}}
        self.lock = threading.Lock()
        self.listener: socket.socket | None = None

    def start(self) -> None:
        if self.socket_path.exists() or self.socket_path.is_symlink():
            self.socket_path.unlink()
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(str(self.socket_path))
        self.listener.listen(8)
        threading.Thread(target=self._accept, name="grader", daemon=True).start()

    def close(self) -> None:
        if self.listener is not None:
            self.listener.close()

    def begin(self, lesson: str) -> None:
        """The notebook of `lesson` starts: its exercises may be graded, once each."""
        with self.lock:
            self.current = lesson
            self.results[lesson] = {}

    def end(self) -> None:
        with self.lock:
            self.current = None

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:  # closed
                return
            with connection:
                try:
                    self._serve(connection)
                except (OSError, wire.WireError, StopGrading):
                    pass  # the kernel went away: what was recorded stands
                except Exception:  # whatever a hijacked kernel sent: the next cell is served
                    pass

    def _serve(self, connection: socket.socket) -> None:
        connection.settimeout(HELLO_SECONDS)
        hello = wire.decode(wire.receive(connection, 4096))
        name = hello.get("exercise") if isinstance(hello, dict) else None
        lesson, refusal = self._lesson_for(name)
        session = Session(connection, time.monotonic() + self.exercise_seconds, self._call_limit())
        if refusal:
            session.report(refusal, 0.0)
            return
        exercise = exercises(lesson)[name]
        code = self.codes[lesson] if self.codes else StudentCode.of_master(master(lesson))
        problems = code.problems()
        if problems:
            result = Result(name, exercise.points, 0.0, [f"  ✗ not graded: {problems[0]}"])
        else:
            result = _run(exercise, RemoteFunction(session, name, code))
            if session.late:
                self.stuck()
        with self.lock:
            self.results.setdefault(lesson, {})[name] = result
        session.report(result.report(), result.score)

    def _call_limit(self) -> int:
        return max(1, min(30, self.exercise_seconds // 2))

    def _lesson_for(self, name) -> tuple:
        """(lesson, "") for an exercise this connection may grade, else (None, the report)."""
        with self.lock:
            lesson = self.current
            if self.codes is None:
                lesson = next((les for les in lessons() if name in exercises(les)), None)
            if not isinstance(name, str) or lesson is None or name not in exercises(lesson):
                return None, f"{name!r} is not an exercise of this notebook: not graded"
            if self.codes is not None and name in self.results.get(lesson, {}):
                return None, f"{name} was already graded in this notebook: not graded again"
            points = exercises(lesson)[name].points
            claimed = Result(name, points, 0.0, ["  ✗ grading did not finish"])
            self.results.setdefault(lesson, {})[name] = claimed
            return lesson, ""


def _run(exercise, function: RemoteFunction) -> Result:
    try:
        return exercise.run(function)
    except StopGrading as stop:
        return Result(exercise.name, exercise.points, 0.0, [f"  ✗ grading stopped: {stop}"])
