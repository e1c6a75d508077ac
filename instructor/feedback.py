"""Make the grader's feedback releasable with `nbgrader release_feedback`.

    python -m instructor.feedback COURSE_DIR [--lesson 01_rnn_forward ...]

The course lifecycle on nbgrader's exchange, run from the course directory:

    nbgrader release_assignment LESSON
    nbgrader collect LESSON
    python -m instructor.grade submitted --out . --lesson LESSON
    python -m instructor.feedback . --lesson LESSON
    nbgrader release_feedback LESSON

With `--out .` the grader writes `feedback/<student>/<lesson>/<lesson>.html` where nbgrader
looks for it, and its scores into the course's own gradebook (the one formgrader shows).
`release_feedback` also needs, beside each report, the `timestamp.txt` and
`submission_secret.txt` that `nbgrader submit` put into the submission (the secret is how
`fetch_feedback` finds the report of the student's own submission); this command copies
them there from `submitted/<student>/<lesson>/`.
"""

import argparse
import shutil
import sys
from pathlib import Path

RECEIPTS = ("timestamp.txt", "submission_secret.txt")


def stage_feedback(course_dir: Path, lesson_ids: list[str] | None = None) -> list[str]:
    """Copy each submission's receipts beside its feedback; return "student/lesson" staged.

    Raises FileNotFoundError naming the submissions whose receipts are missing.
    """
    course_dir = Path(course_dir)
    staged, missing = [], []
    for report in sorted(course_dir.glob("feedback/*/*/*.html")):
        feedback = report.parent
        student_id, lesson = feedback.parent.name, feedback.name
        if lesson_ids and lesson not in lesson_ids:
            continue
        submitted = course_dir / "submitted" / student_id / lesson
        absent = [name for name in RECEIPTS if not (submitted / name).is_file()]
        if absent:
            missing.append(f"{student_id}/{lesson} ({', '.join(absent)})")
            continue
        for name in RECEIPTS:
            shutil.copyfile(submitted / name, feedback / name)
        staged.append(f"{student_id}/{lesson}")
    if missing:
        raise FileNotFoundError(
            "not submitted through nbgrader's exchange, no receipts in submitted/: "
            + "; ".join(missing)
        )
    return sorted(set(staged))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("course_dir", type=Path, help="the nbgrader course directory")
    parser.add_argument("--lesson", action="append", help="only this lesson (repeatable)")
    args = parser.parse_args(argv)
    try:
        staged = stage_feedback(args.course_dir, args.lesson)
    except FileNotFoundError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"feedback ready for nbgrader release_feedback: {', '.join(staged) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
