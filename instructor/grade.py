"""Grade a class: every student of a submissions folder, every lesson, in parallel.

    python -m instructor.grade SUBMISSIONS [--lesson 01_rnn_forward ...] [--jobs 2]
                               [--out build/grading] [--regrade] [--no-sandbox]
                               [--scheduler tcp://host:8786 | --scheduler local:N]

SUBMISSIONS holds <student>/<lesson>/<lesson>.ipynb (the layout `nbgrader collect` makes);
it is only read. Each student's notebooks run once, in a bubblewrap sandbox, and a grader
outside it calls their functions (instructor/engine). Writes to --out: grades.csv,
exercises.csv, feedback/<student>/<lesson>/<lesson>.html, summary.txt, histogram.png,
results/<student>.json and the class gradebook (gradebook.db or RNNLAB_GRADEBOOK_URL).
A student already graded from the same files is skipped unless --regrade. Exits 2, with
the reason, when the grader itself cannot work (no sandbox here, say).

With --scheduler the students are graded on a Dask cluster (instructor/engine/cluster.py),
one task per student; this process still reads the submissions and writes every output.
`local:N` starts a cluster of N worker processes on this machine for the run.
"""

import argparse
import os
import sys
from pathlib import Path

from instructor.engine.course import BUILD
from instructor.engine.run import GraderFault, default_jobs, grade_class
from instructor.engine.student import Settings


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("submissions", type=Path, help="<student>/<lesson>/<lesson>.ipynb")
    parser.add_argument("--lesson", action="append", help="grade only this lesson (repeatable)")
    parser.add_argument(
        "--jobs",
        type=int,
        help="students at once (default: cores + 1; on a cluster, twice its worker threads)",
    )
    parser.add_argument("--out", type=Path, default=BUILD / "grading", help="output folder")
    parser.add_argument("--regrade", action="store_true", help="grade students already graded")
    parser.add_argument(
        "--no-sandbox",
        action="store_true",
        help="run student code without bubblewrap (unsafe: every output says so)",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        type=_scheduler,
        help="grade on the Dask cluster of this scheduler (tcp://host:8786), or on local:N, "
        "a cluster of N worker processes started here for the run",
    )
    args = parser.parse_args(argv)
    if not args.submissions.is_dir():
        parser.error(f"no submissions folder at {args.submissions}")
    settings = Settings(
        cell_seconds=int(os.environ.get("RNNLAB_CELL_TIMEOUT", "60")), sandbox=not args.no_sandbox
    )
    try:
        if args.scheduler:
            _grade_on_cluster(args, settings)
        else:
            jobs = args.jobs or default_jobs()
            grade_class(
                args.submissions, args.out, args.lesson, jobs, args.regrade, settings=settings
            )
    except GraderFault as fault:
        print(f"instructor.grade: the grader cannot run here: {fault}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninstructor.grade: interrupted; run it again to resume", file=sys.stderr)
        return 130
    print((args.out / "summary.txt").read_text())
    return 0


def _scheduler(address: str) -> str:
    workers = address.removeprefix("local:")
    if address.startswith("local:") and not (workers.isdigit() and int(workers) > 0):
        raise argparse.ArgumentTypeError(f"local:N needs a number of workers, not {address!r}")
    return address


def _grade_on_cluster(args, settings: Settings) -> None:
    """grade_class with a DaskRunner: the dashboard's address first, then the progress bar."""
    from instructor.engine.cluster import DaskRunner, connect  # Dask only when asked for

    with connect(args.scheduler) as client:
        print(f"Dask dashboard: {client.dashboard_link}", file=sys.stderr, flush=True)
        runner = DaskRunner(client)
        jobs = args.jobs or runner.jobs()
        grade_class(
            args.submissions,
            args.out,
            args.lesson,
            jobs,
            args.regrade,
            settings=settings,
            runner=runner,
        )


if __name__ == "__main__":
    sys.exit(main())
