"""Grade a class: every student of a submissions folder, every lesson, in parallel.

    python -m instructor.grade SUBMISSIONS [--lesson 01_rnn_forward ...] [--jobs 2]
                               [--out build/grading] [--regrade]

For each student, in a private nbgrader course directory: check and copy the notebooks
(the submissions folder is only read), `nbgrader autograde` and `generate_feedback` (the
feedback the student gets; one process forked with nbgrader loaded, kernels forked from a
zygote: instructor.engine.nbgrader_steps), then the trusted grade of
`instructor.engine.trusted`, which
is the score recorded. Writes to --out: grades.csv (student, lesson, score,
max_score), exercises.csv, feedback/<student>/<lesson>/, summary.txt, histogram.png, and the
class gradebook with the same scores (gradebook.db, or RNNLAB_GRADEBOOK_URL; see
instructor/class_gradebook.py). A student already graded (results/<student>.json, same
submitted files) is skipped unless --regrade.
"""

import argparse
import json
import os
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from instructor.engine.collect import collect, read_submission, students
from instructor.engine.course import BUILD, CourseDir, copy_code, lessons, tree_digest
from instructor.engine.gradebook import write_class_gradebook
from instructor.engine.nbgrader_steps import run_steps
from instructor.engine.report import write_reports
from instructor.engine.trusted import trusted_grades
from instructor.release import generate_release

CELL_SECONDS = int(os.environ.get("RNNLAB_CELL_TIMEOUT", "60"))


def notebook_score(course_dir: CourseDir, lesson: str, student_id: str) -> float | None:
    """The score nbgrader recorded from the student's own kernel, or None if it has none."""
    from nbgrader.api import Gradebook

    try:
        with Gradebook(f"sqlite:///{course_dir.root / 'gradebook.db'}") as gradebook:
            return float(gradebook.find_submission(lesson, student_id).score)
    except Exception:  # no submission recorded: the notebook run failed
        return None


def _run_notebooks(course_dir: CourseDir, student_id: str, count: int) -> str:
    """nbgrader autograde and generate_feedback over all of a student's lessons.

    Returns "" or the reason the run failed (kernel killed, time limit).
    """
    code = run_steps(course_dir, student_id, timeout=count * (20 * CELL_SECONDS + 120))
    if code == 0:
        return ""
    return "killed after the time limit" if code < 0 else "nbgrader reported an error"


def _verify_code(trusted_code: Path, digest: str, flags: list, who: str) -> None:
    """Restore the private copy of the grader if anything wrote into it."""
    if tree_digest(trusted_code) != digest:
        flags.append(f"{who} wrote into the grader's files: copy restored")
        copy_code(trusted_code)


def _stage(course_dir: CourseDir, submission) -> None:
    lesson, student_id = submission.lesson, submission.student_id
    target = course_dir.path("submitted", student_id, lesson, f"{lesson}.ipynb")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(submission.notebook))


def _entry(course_dir, submission, verdict, run_failure) -> dict:
    """Compare the notebook's own score with the trusted grade, which is the one recorded."""
    flags = list(submission.problems)
    entry = {"exercises": {}, "flags": flags, "notebook_score": None}
    if submission.notebook is None:
        return entry
    lesson, student_id = submission.lesson, submission.student_id
    entry["notebook_score"] = notebook_score(course_dir, lesson, student_id)
    if run_failure and not course_dir.path("autograded", student_id, lesson).is_dir():
        flags.append(f"notebook run failed ({run_failure}; a cell may kill its kernel)")
    entry["exercises"] = verdict.scores
    flags.extend(verdict.flags)
    shown = entry["notebook_score"]
    if shown is not None and abs(shown - verdict.total) > 0.01:
        flags.append(f"notebook showed {shown:g} points, trusted grade {verdict.total:g}")
    return entry


def _trusted_verdicts(valid: list, trusted_code: Path, digest: str) -> tuple[dict, list]:
    """The trusted grades of the valid submissions, and flags if anything wrote into the
    grader's private copy (during the notebook run or the trusted grade)."""
    flags = []
    _verify_code(trusted_code, digest, flags, "the notebook run")
    verdicts = trusted_grades({s.lesson: s.notebook for s in valid}, trusted_code) if valid else {}
    _verify_code(trusted_code, digest, flags, "the graded code")
    return verdicts, flags


def _publish(course_dir: CourseDir, out: Path, student_id: str, lesson: str) -> None:
    for step in ("autograded", "feedback"):
        source = course_dir.path(step, student_id, lesson)
        if source.is_dir():
            target = out / step / student_id / lesson
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(source, target)


def grade_student(student_id, submissions: Path, lesson_ids: list, out: Path, template) -> dict:
    """Grade one student's lessons in a private course directory; return the results record."""
    private = out / "work" / student_id
    trusted_code = copy_code(private / "trusted_code")
    trusted_digest = tree_digest(trusted_code)
    course_dir = CourseDir.copy_of(template, private / "course", copy_code(private / "kernel_code"))
    collected = {lesson: collect(submissions, student_id, lesson) for lesson in lesson_ids}
    valid = [s for s in collected.values() if s.notebook is not None]
    for submission in valid:
        _stage(course_dir, submission)
    failure = _run_notebooks(course_dir, student_id, len(valid)) if valid else ""
    verdicts, code_flags = _trusted_verdicts(valid, trusted_code, trusted_digest)
    record = {"student_id": student_id, "lessons": {}, "digests": {}}
    for lesson, submission in collected.items():
        entry = _entry(course_dir, submission, verdicts.get(lesson), failure)
        if submission.notebook is not None:
            entry["flags"].extend(code_flags)
        if submission.raw is not None:
            if read_submission(submissions, student_id, lesson).digest != submission.digest:
                entry["flags"].append("THE SUBMITTED FILE CHANGED DURING GRADING")
        record["lessons"][lesson] = entry
        record["digests"][lesson] = submission.digest
        _publish(course_dir, out, student_id, lesson)
    return record


def _already_graded(out: Path, student_id: str, submissions: Path, lesson_ids: list) -> bool:
    path = out / "results" / f"{student_id}.json"
    if not path.exists():
        return False
    record = json.loads(path.read_text())
    current = {
        lesson: read_submission(submissions, student_id, lesson).digest for lesson in lesson_ids
    }
    return record.get("digests") == current


def _save(out: Path, record: dict) -> None:
    path = out / "results" / f"{record['student_id']}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(record, indent=1))
    temporary.replace(path)  # atomic: an interrupted run never leaves half a record


def _progress(done: int, total: int, label: str) -> None:
    filled = int(30 * done / max(total, 1))
    print(
        f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{total} {label:<24}",
        end="",
        file=sys.stderr,
        flush=True,
    )


def prepare_template(out: Path, lesson_ids: list) -> CourseDir:
    """A course directory with the lessons released (its gradebook knows their cells)."""
    template = CourseDir(out / "template")
    generate_release(template, lesson_ids)
    return template


def grade_class(submissions, out, lesson_ids=None, jobs=2, regrade=False, template=None) -> dict:
    """Grade every student of `submissions`; return {student_id: record}.

    template: a course directory from prepare_template for these lessons (made if None).
    """
    submissions, out = Path(submissions).resolve(), Path(out).resolve()
    lesson_ids = lesson_ids or lessons()
    class_list = students(submissions)
    todo = [
        s for s in class_list if regrade or not _already_graded(out, s, submissions, lesson_ids)
    ]
    if template is None and (todo or not (out / "gradebook.db").exists()):  # lessons to copy
        template = prepare_template(out, lesson_ids)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {
            pool.submit(grade_student, s, submissions, lesson_ids, out, template): s for s in todo
        }
        for count, future in enumerate(as_completed(futures), start=1):
            _save(out, future.result())
            _progress(count, len(todo), futures[future])
    if todo:
        print(file=sys.stderr)
    records = {s: json.loads((out / "results" / f"{s}.json").read_text()) for s in class_list}
    write_reports(records, lesson_ids, out)
    write_class_gradebook(records, lesson_ids, out, template)
    return records


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "submissions", type=Path, help="folder of <student>/<lesson>/<lesson>.ipynb"
    )
    parser.add_argument("--lesson", action="append", help="grade only this lesson (repeatable)")
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="students graded at once"
    )
    parser.add_argument("--out", type=Path, default=BUILD / "grading", help="output folder")
    parser.add_argument("--regrade", action="store_true", help="grade students already graded")
    args = parser.parse_args(argv)
    if not args.submissions.is_dir():
        parser.error(f"no submissions folder at {args.submissions}")
    grade_class(args.submissions, args.out, args.lesson, args.jobs, args.regrade)
    print((args.out / "summary.txt").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
