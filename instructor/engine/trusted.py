"""The trusted grade of a student's submitted notebooks, computed outside those notebooks.

nbgrader runs the hidden tests in the student's own kernel, after every cell the student
wrote: that code can print a fake report, patch numpy or the grader, or end the kernel.
The score we record therefore comes from here instead:

- a fresh Python process per student (`python -m instructor.engine.trusted`, notebooks on stdin),
  under a memory limit and a time limit, with its own copy of the grading code; it loads
  the grader once, then grades each lesson in a forked child (killed after a time limit),
  so one lesson's code cannot touch the grading of another;
- the master notebook's setup cell, then only the submission's *solution* cells (matched
  by nbgrader grade_id; test and demo cells, edited or not, are never run);
- grader, numpy and builtins fingerprinted before the student's code runs and checked after
  each exercise: an exercise during or after which anything was patched scores 0;
- the result goes back on stdout behind a random token read from stdin before any student
  code ran, and the student's own output is discarded.
"""

import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from instructor.engine.course import limit_resources

EXERCISE_SECONDS = int(os.environ.get("RNNLAB_CELL_TIMEOUT", "60"))  # per exercise, an alarm
LESSON_SECONDS = 20 * EXERCISE_SECONDS + 30  # a lesson's child is killed after this


@dataclass
class Verdict:
    """Trusted scores of one lesson for one student."""

    scores: dict = field(default_factory=dict)  # {exercise: points earned}
    points: dict = field(default_factory=dict)  # {exercise: points possible}
    reports: dict = field(default_factory=dict)  # {exercise: printed report}
    flags: list = field(default_factory=list)  # reasons for a human look

    @property
    def total(self) -> float:
        return round(sum(self.scores.values()), 2)


FAULTS = ("did not finish", "MemoryError", "RecursionError")  # in a report: worth a human look


class _OutOfTime(BaseException):
    """Raised by the alarm when one exercise runs too long (BaseException: harder to swallow)."""


def _alarm(_signum, _frame):
    raise _OutOfTime()


def _solution_sources(lesson: str, submission: dict) -> list[tuple[str, str]]:
    """[(grade_id, source)] of the submission's solution cells, in the master's order."""
    from grader_tests.grading import SOLUTIONS

    master = json.loads((SOLUTIONS / f"{lesson}.ipynb").read_text())
    wanted = [
        c["metadata"]["nbgrader"]["grade_id"]
        for c in master["cells"]
        if c["metadata"].get("nbgrader", {}).get("solution")
    ]
    found = {}
    for cell in submission.get("cells", []):
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in wanted and cell.get("cell_type") == "code" and grade_id not in found:
            source = cell.get("source", "")
            found[grade_id] = "".join(source) if isinstance(source, list) else str(source)
    return [(grade_id, found[grade_id]) for grade_id in wanted if grade_id in found]


def _emit(channel, token: str, kind: str, payload: dict) -> None:
    channel.write(f"{token} {json.dumps({'kind': kind, **payload})}\n")
    channel.flush()


def child_main() -> None:
    """Runs in the untrusted process: read token and notebooks, grade each lesson in a fork.

    Everything the grading needs is imported and computed before any student code runs;
    each lesson then runs in a forked child, so one lesson's code cannot touch another's.
    """
    token = sys.stdin.readline().strip()
    notebooks = json.loads(sys.stdin.read())
    channel = os.fdopen(os.dup(1), "w")
    sys.stdout = open(os.devnull, "w")  # the student's prints go nowhere
    from grader_tests.catalog import exercises
    from grader_tests.grading import reference

    for lesson in notebooks:  # load all the grading needs while no student code has run
        exercises(lesson), reference(lesson)
        exec(compile(_setup_source(lesson), "<setup>", "exec"), {"__name__": "__main__"})
    for lesson, notebook in notebooks.items():
        pid = os.fork()
        if pid == 0:
            try:
                _grade_lesson(lesson, notebook, channel, token)
            finally:
                os._exit(0)
        _emit(channel, token, "exit", {"lesson": lesson, "status": _wait(pid, LESSON_SECONDS)})


def _wait(pid: int, seconds: float) -> int:
    """Wait for child `pid`; kill it after `seconds`. Returns its exit status (-9: killed)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.005)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return -signal.SIGKILL


def _grade_lesson(lesson: str, notebook: dict, channel, token: str) -> None:
    """In the forked child: the setup cell, the student's solution cells, then the exercises."""
    from grader_tests import integrity
    from grader_tests.catalog import exercises

    namespace = {"__name__": "__main__"}
    exec(compile(_setup_source(lesson), "<setup>", "exec"), namespace)
    before = integrity.snapshot()
    signal.signal(signal.SIGALRM, _alarm)
    for grade_id, source in _solution_sources(lesson, notebook):
        _run_student_cell(lesson, grade_id, source, namespace, channel, token)
    for name, exercise in exercises(lesson).items():
        signal.alarm(EXERCISE_SECONDS)
        try:
            result = exercise.run(namespace.get(name))
        except _OutOfTime:
            result = exercise.run(None)
            result.lines = [f"  ✗ {name} did not finish within {EXERCISE_SECONDS} s"]
        finally:
            signal.alarm(0)
        patched = integrity.changes(before, integrity.snapshot())
        payload = {
            "lesson": lesson,
            "name": name,
            "points": exercise.points,
            "score": result.score,
            "report": result.report(),
        }
        if patched:
            payload.update(score=0.0, flag=f"{name}: code patched {', '.join(patched[:3])}")
        _emit(channel, token, "exercise", payload)
    _emit(channel, token, "done", {"lesson": lesson})


def _setup_source(lesson: str) -> str:
    from grader_tests.grading import SOLUTIONS

    master = json.loads((SOLUTIONS / f"{lesson}.ipynb").read_text())
    cells = [
        c for c in master["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "setup"
    ]
    return "".join(cells[0]["source"]) if cells else ""


def _run_student_cell(lesson, grade_id, source, namespace, channel, token) -> None:
    signal.alarm(EXERCISE_SECONDS)
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            exec(compile(source, f"<cell {grade_id}>", "exec"), namespace)
    except (Exception, SystemExit, _OutOfTime) as error:
        _emit(
            channel,
            token,
            "cell",
            {"lesson": lesson, "cell": grade_id, "error": f"{type(error).__name__}: {error}"[:300]},
        )
    finally:
        signal.alarm(0)


def trusted_grades(notebooks: dict, code_root: Path) -> dict:
    """Grade {lesson: notebook (parsed JSON)} in one separate process whose grader lives in
    code_root; return {lesson: Verdict}."""
    token = os.urandom(16).hex()
    env = {
        **os.environ,
        "PYTHONPATH": str(code_root),
        "MPLBACKEND": "Agg",
        "OPENBLAS_NUM_THREADS": "1",
    }
    with tempfile.TemporaryDirectory(prefix="trusted-") as workdir:
        process = subprocess.Popen(
            [sys.executable, "-m", "instructor.engine.trusted"],
            cwd=workdir,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            preexec_fn=limit_resources,
        )
        try:
            output, _ = process.communicate(
                f"{token}\n{json.dumps(notebooks)}", timeout=LESSON_SECONDS * len(notebooks) + 60
            )
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            output, _ = process.communicate()
    messages = [
        json.loads(line[len(token) + 1 :])
        for line in output.splitlines()
        if line.startswith(token + " ")
    ]
    return {
        lesson: _verdict(lesson, [m for m in messages if m.get("lesson") == lesson])
        for lesson in notebooks
    }


def _verdict(lesson: str, messages: list) -> Verdict:
    """One lesson's Verdict from its messages; what never reported scores 0 and is flagged."""
    from grader_tests.catalog import exercises

    verdict = Verdict()
    for message in messages:
        if message["kind"] == "exercise":
            verdict.scores[message["name"]] = float(message["score"])
            verdict.reports[message["name"]] = message["report"]
            fault = next((f for f in FAULTS if f in message["report"]), None)
            if fault:
                verdict.flags.append(f"{message['name']}: {fault}")
            if "flag" in message:
                verdict.flags.append(message["flag"])
        elif message["kind"] == "cell":
            verdict.flags.append(f"cell {message['cell']} raised {message['error']}")
    for name, exercise in exercises(lesson).items():
        verdict.points[name] = exercise.points
        if name not in verdict.scores:
            verdict.scores[name] = 0.0
            verdict.reports[name] = (
                f"{name}: 0 / {exercise.points:g} points\n  ✗ grading did not finish"
            )
    if not any(m["kind"] == "done" for m in messages):
        status = next((m["status"] for m in messages if m["kind"] == "exit"), None)
        verdict.flags.append(
            f"grading process ended early (exit code {status}: time, memory or exit)"
        )
    return verdict


if __name__ == "__main__":
    child_main()
