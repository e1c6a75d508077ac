"""Grade a class: every student of a submissions folder, every lesson, in parallel.

    python -m instructor.grade SUBMISSIONS [--lesson 01_rnn_forward ...] [--jobs 2]
                               [--out build/grading] [--regrade] [--no-sandbox]

SUBMISSIONS holds <student>/<lesson>/<lesson>.ipynb (the layout `nbgrader collect` makes);
it is only read. Each student's notebooks run once, in a bubblewrap sandbox, and a grader
outside it calls their functions (instructor/engine). Writes to --out: grades.csv,
exercises.csv, feedback/<student>/<lesson>/<lesson>.html, summary.txt, histogram.png,
results/<student>.json and the class gradebook (gradebook.db or RNNLAB_GRADEBOOK_URL).
A student already graded from the same files is skipped unless --regrade. Exits 2, with
the reason, when the grader itself cannot work (no sandbox here, say).
"""

import argparse
import os
import sys
from pathlib import Path

from instructor.engine.course import BUILD
from instructor.engine.run import GraderFault, grade_class
from instructor.engine.student import Settings


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("submissions", type=Path, help="<student>/<lesson>/<lesson>.ipynb")
    parser.add_argument("--lesson", action="append", help="grade only this lesson (repeatable)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="students at once")
    parser.add_argument("--out", type=Path, default=BUILD / "grading", help="output folder")
    parser.add_argument("--regrade", action="store_true", help="grade students already graded")
    parser.add_argument(
        "--no-sandbox",
        action="store_true",
        help="run student code without bubblewrap (unsafe: every output says so)",
    )
    args = parser.parse_args(argv)
    if not args.submissions.is_dir():
        parser.error(f"no submissions folder at {args.submissions}")
    settings = Settings(
        cell_seconds=int(os.environ.get("RNNLAB_CELL_TIMEOUT", "60")), sandbox=not args.no_sandbox
    )
    try:
        grade_class(
            args.submissions, args.out, args.lesson, args.jobs, args.regrade, settings=settings
        )
    except GraderFault as fault:
        print(f"instructor.grade: the grader cannot run here: {fault}", file=sys.stderr)
        return 2
    print((args.out / "summary.txt").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
