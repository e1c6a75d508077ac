"""Grade a class: every student of a submissions folder, each in a task of their own.

`grade_class(submissions, out, ...)` reads each student's notebooks (instructor.engine.
collect: the submissions folder is only read), grades the students two or more at a time
(instructor.engine.student: one forked process and one sandbox per student), saves each
student's record as it arrives and writes it into the class gradebook, then the reports.

A failure while grading one student is that student's: they get 0 for the lessons
concerned and a flag naming the problem, and the run goes on. Only a fault of the grader
itself (the sandbox cannot start) stops the run, with a message that says so. A student
whose submitted files are unchanged since their saved record is not graded again, unless
`regrade`, and the grader that graded it is the same (its fingerprint, instructor.engine.
fingerprint, covers the hidden tests, solutions, library, engine, locked packages and
settings); a changed grader re-grades exactly the lessons it affects. One run at a time may
use an output folder (a lock file); a second one is refused with a message.
"""

import contextlib
import fcntl
import json
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from grader_tests.catalog import exercises
from instructor.engine.collect import collect, read_submission, students
from instructor.engine.course import CourseDir, lessons
from instructor.engine.fingerprint import fingerprint
from instructor.engine.flags import one_line
from instructor.engine.gradebook import write_class_gradebook
from instructor.engine.report import write_reports
from instructor.engine.sandbox import SandboxUnavailable, check_available
from instructor.engine.student import Settings, Task, run_in_process
from instructor.release import generate_release


class GraderFault(RuntimeError):
    """A fault of the grader itself, not of a submission: the run cannot go on."""


def default_jobs() -> int:
    """Students graded at once on this machine: one more than its cores. Each notebook's
    kernel leaves its core idle for about 0.3 s while it starts and stops (measured: 3 jobs
    on 2 cores grade 17% more notebooks a minute than 2)."""
    return (os.cpu_count() or 1) + 1


def prepare_template(out: Path, lesson_ids: list, settings=None) -> CourseDir:
    """A course directory with the lessons released (its gradebook knows their cells);
    the one of an earlier run is kept when it was made by the same grader."""
    stamp = json.dumps({les: fingerprint(les, settings or Settings()) for les in lesson_ids})
    made = out / "template" / ".made-by"
    if made.is_file() and made.read_text() == stamp:
        return CourseDir(out / "template", fresh=False)
    template = CourseDir(out / "template")
    generate_release(template, lesson_ids)
    made.write_text(stamp)
    return template


def _failed_entry(lesson: str, flags: list) -> dict:
    """A lesson that could not be graded: 0 for each exercise, and why."""
    return {
        "exercises": {name: 0.0 for name in exercises(lesson)},
        "reports": {},
        "flags": [one_line(flag) for flag in flags],
        "notebook_score": None,
    }


def _stale(record: dict | None, lesson_ids: list, digests: dict, fingerprints: dict) -> dict:
    """{lesson: why} for the lessons to grade: no saved entry ("new"), other submitted
    files ("changed"), or another grader ("grader")."""
    saved = (record or {}).get("lessons", {})
    why = {}
    for lesson in lesson_ids:
        entry = saved.get(lesson)
        if entry is None:
            why[lesson] = "new"
        elif entry.get("digest") != digests[lesson]:
            why[lesson] = "changed"
        elif entry.get("fingerprint") != fingerprints[lesson]:
            why[lesson] = "grader"
    return why


@contextlib.contextmanager
def _only_run(out: Path):
    """Hold the output folder's lock for the run; GraderFault if another run holds it."""
    out.mkdir(parents=True, exist_ok=True)
    with (out / ".grading.lock").open("a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "another process"
            raise GraderFault(
                f"another instructor.grade run is using {out} ({holder}): wait for it to "
                "finish, or grade into another --out folder"
            ) from None
        lock.truncate(0)
        lock.write(f"pid {os.getpid()}, started {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
        lock.flush()
        yield


def check_sandbox(settings: Settings) -> None:
    """GraderFault, with the reason and the fix, when `settings` ask for a sandbox and
    this machine cannot start one."""
    if not settings.sandbox:
        return
    with tempfile.TemporaryDirectory(prefix="rnnlab-check-") as private:
        try:
            check_available(Path(private))
        except SandboxUnavailable as error:
            raise GraderFault(str(error)) from None


class LocalRunner:
    """Grades a student's Task in a process forked on this machine; its result dict."""

    def __init__(self, template: CourseDir):
        self.template = template

    def check(self, lesson_ids: list, settings: Settings) -> None:
        """Before grading: GraderFault unless a sandbox starts here, when `settings` ask for
        one (`lesson_ids` need nothing more: they are released in the template)."""
        check_sandbox(settings)

    def __call__(self, task: Task) -> dict:
        private = Path(tempfile.mkdtemp(prefix="rnnlab-grading-"))  # short: socket paths
        try:
            return run_in_process(task, self.template.root, private)
        finally:
            shutil.rmtree(private, ignore_errors=True)


def grade_one(student_id, submissions: Path, lesson_ids, runner, settings, fingerprints) -> dict:
    """Grade `lesson_ids` of one student with `runner`; {lesson: entry}. Never raises for
    the student's sake: any problem becomes a 0 with a flag. Raises GraderFault for the
    grader's own."""
    try:
        entries = _grade_one(student_id, submissions, lesson_ids, runner, settings)
    except GraderFault:
        raise
    except Exception as error:  # a fault while reading or staging this student's files
        reason = f"not graded: reading this submission failed ({type(error).__name__}: {error})"
        failed = {lesson: _failed_entry(lesson, [reason]) for lesson in lesson_ids}
        entries = {lesson: {**entry, "digest": ""} for lesson, entry in failed.items()}
    for lesson, entry in entries.items():
        entry["fingerprint"] = fingerprints[lesson]
    return entries


def _grade_one(student_id, submissions: Path, lesson_ids, runner, settings) -> dict:
    collected = {lesson: collect(submissions, student_id, lesson) for lesson in lesson_ids}
    valid = {lesson: s.notebook for lesson, s in collected.items() if s.notebook is not None}
    result = {"lessons": {}}
    if valid:
        result = runner(Task(student_id, valid, settings))
        if "fatal" in result:
            raise GraderFault(result["fatal"])
    entries = {}
    for lesson, submission in collected.items():
        problems = list(submission.problems)
        if lesson not in valid:
            entry = _failed_entry(lesson, problems or ["no notebook to grade"])
        elif "error" in result:
            entry = _failed_entry(lesson, [*problems, f"not graded: {result['error']}"])
        else:
            entry = result["lessons"][lesson]
            entry["flags"] = [one_line(p) for p in problems] + entry["flags"]
        entry["digest"] = submission.digest
        entry["published"] = {
            step: result.get(step, {}).get(lesson) for step in ("feedback", "autograded")
        }
        entries[lesson] = entry
    return entries


PUBLISHED = {"feedback": ".html", "autograded": ".ipynb"}  # nbgrader's products, nothing else


def _publish(out: Path, student_id: str, lesson: str, products: dict) -> None:
    """Write the lesson's feedback HTML and autograded notebook (and nothing else)."""
    for step, suffix in PUBLISHED.items():
        page = out / step / student_id / lesson / f"{lesson}{suffix}"
        shutil.rmtree(page.parent, ignore_errors=True)
        if products.get(step) is not None:
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(products[step])


def _save(out: Path, student_id: str, entries: dict) -> dict:
    """Merge new lesson entries into the student's record, publish their products; write
    the record atomically; return it."""
    path = out / "results" / f"{student_id}.json"
    record = json.loads(path.read_text()) if path.exists() else {"student_id": student_id}
    record.setdefault("lessons", {})
    for lesson, entry in entries.items():
        _publish(out, student_id, lesson, entry.pop("published", {}))
        record["lessons"][lesson] = entry
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(record, indent=1))
    temporary.replace(path)  # atomic: an interrupted run never leaves half a record
    return record


def _progress(done: int, total: int, label: str) -> None:
    filled = int(30 * done / max(total, 1))
    bar = f"[{'#' * filled}{'.' * (30 - filled)}] {done}/{total} {label:<24}"
    print(f"\r{bar}", end="", file=sys.stderr, flush=True)


def _saved_record(out: Path, student_id: str) -> dict | None:
    path = out / "results" / f"{student_id}.json"
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def grade_class(
    submissions,
    out,
    lesson_ids=None,
    jobs=2,
    regrade=False,
    template=None,
    settings: Settings | None = None,
    runner=None,
) -> dict:
    """Grade every student of `submissions` into `out`; return {student_id: record}.

    template: a course directory from prepare_template for these lessons (made if None);
    runner: what grades the students: `runner.check(lesson_ids, settings)` first, which
    raises GraderFault when the machines that grade cannot (and prepares them), then
    `runner(task)` for each student's Task, which returns its result dict; by default a
    LocalRunner, which grades here (instructor.engine.cluster.DaskRunner: on a cluster).
    """
    submissions, out = Path(submissions).resolve(), Path(out).resolve()
    lesson_ids, settings = lesson_ids or lessons(), settings or Settings()
    with _only_run(out):
        return _grade_class(submissions, out, lesson_ids, jobs, regrade, template, settings, runner)


def _grade_class(submissions, out, lesson_ids, jobs, regrade, template, settings, runner):
    template = template or prepare_template(out, lesson_ids, settings)
    runner = runner or LocalRunner(template)
    runner.check(lesson_ids, settings)
    class_list = students(submissions)
    fingerprints = {lesson: fingerprint(lesson, settings) for lesson in lesson_ids}
    todo, reasons = {}, {}
    for student_id in class_list:
        digests = {les: read_submission(submissions, student_id, les).digest for les in lesson_ids}
        saved = _saved_record(out, student_id)
        why = _stale(saved, lesson_ids, digests, fingerprints)
        if regrade:
            why = {lesson: why.get(lesson, "forced") for lesson in lesson_ids}
        if why:
            todo[student_id] = list(why)
            reasons[student_id] = why
    fault, graded = None, {}
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {
            pool.submit(grade_one, s, submissions, stale, runner, settings, fingerprints): s
            for s, stale in todo.items()
        }
        try:
            for count, future in enumerate(as_completed(futures), start=1):
                try:
                    student_id = futures[future]
                    graded[student_id] = _save(out, student_id, future.result())
                    # into the class gradebook now, while the other students are graded
                    record = {student_id: graded[student_id]}
                    write_class_gradebook(record, lesson_ids, out, template, settings.sandbox)
                except GraderFault as error:
                    fault = fault or error
                    pool.shutdown(wait=False, cancel_futures=True)
                _progress(count, len(futures), futures[future])
        except KeyboardInterrupt:  # students not started are not graded; the saved stay
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    if futures:
        print(file=sys.stderr)
    if fault:
        raise fault
    records = {s: _saved_record(out, s) for s in class_list}
    write_reports(records, lesson_ids, out, settings, fingerprints, reasons)
    resumed = {s: record for s, record in records.items() if s not in graded}
    write_class_gradebook(resumed, lesson_ids, out, template, settings.sandbox)
    return records
