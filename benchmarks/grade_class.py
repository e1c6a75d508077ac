"""Benchmark: `instructor.grade` on a generated class against plain serial nbgrader, or
against itself on Dask clusters.

    PYTHONPATH=. .venv/bin/python benchmarks/grade_class.py [--students 50] [--jobs 2]
    PYTHONPATH=. .venv/bin/python benchmarks/grade_class.py --workers 1 2 [--scheduler ADDRESS]

The class cycles through the sample students' answers (instructor/classes/sample.py), so
its scores are known. In one run, on the same class, it times:

- `instructor.grade` as an instructor runs it: sandboxed, one run per notebook, feedback;
- the same without the sandbox (--no-sandbox), to show what the sandbox costs per notebook;
- plain serial `nbgrader autograde`, one call per lesson, with the hidden tests run inside
  the student's kernel (benchmarks/inkernel.py): what nbgrader alone gives an instructor.

It prints wall times, notebooks per minute, the speed-up over the baseline and whether
every notebook got the same score in all three.

With --workers or --scheduler it times instead `instructor.grade` here (--jobs students at
once) and then on each cluster: a LocalCluster of N worker processes of one thread each for
each N of --workers, and the cluster of the scheduler at ADDRESS. Each cluster is started
and its workers prepared (their template made) before the clock starts. It prints each
run's throughput as a ratio to the local run's, and whether every notebook got the same
score.
"""

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

from nbgrader.api import Gradebook

from instructor.classes.notebooks import catalog_sources, solution_sources, write_submission
from instructor.classes.sample import STUDENTS
from instructor.engine.cluster import DaskRunner, connect
from instructor.engine.course import CourseDir, lessons
from instructor.engine.report import lesson_score
from instructor.engine.run import default_jobs, grade_class, prepare_template
from instructor.engine.student import Settings, start_server

HIDDEN = re.compile(r'from autograde\.client import serve\n\nserve\("(\w+)"\)')


def make_class(folder: Path, released: dict, size: int) -> None:
    for index in range(size):
        model = STUDENTS[index % len(STUDENTS)]
        for lesson, notebook in released.items():
            names = model.answers.get(lesson)
            sources = None
            if names is not None:
                sources = {**solution_sources(lesson), **catalog_sources(lesson, names)}
            target = folder / f"s{index:03d}_{model.student_id}" / lesson / notebook.name
            write_submission(notebook, target, sources)


def _in_kernel(source: Path, lesson: str) -> None:
    """Rewrite a master's hidden regions to run the hidden tests in the kernel."""
    notebook = json.loads(source.read_text())
    for cell in notebook["cells"]:
        text = "".join(cell["source"])
        replaced = HIDDEN.sub(
            lambda m: (
                f'from benchmarks.inkernel import grade_here\n\ngrade_here("{lesson}", '
                f'"{m.group(1)}")'
            ),
            text,
        )
        cell["source"] = replaced.splitlines(keepends=True)
    source.write_text(json.dumps(notebook, indent=1))


def serial_nbgrader(submissions: Path, root: Path, lesson_ids: list) -> dict:
    course = CourseDir(root)
    for lesson in lesson_ids:
        _in_kernel(course.path("source", lesson, f"{lesson}.ipynb"), lesson)
        course.nbgrader("generate_assignment", lesson, "--force", "--create")
    shutil.copytree(submissions, course.path("submitted"))
    for lesson in lesson_ids:
        course.nbgrader("autograde", lesson, "--force", check=False)
    scores = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        for student in os.listdir(submissions):
            for lesson in lesson_ids:
                scores[(student, lesson)] = round(
                    gradebook.find_submission(lesson, student).score, 2
                )
    return scores


def timed(label: str, run) -> tuple:
    started = time.perf_counter()
    result = run()
    seconds = time.perf_counter() - started
    print(f"  {label}: {seconds:.1f} s", flush=True)
    return result, seconds


def _scores(records: dict, lesson_ids: list) -> dict:
    return {(s, les): lesson_score(r, les) for s, r in records.items() for les in lesson_ids}


def compare_with_nbgrader(work: Path, template, lesson_ids: list, notebooks: int, args) -> bool:
    """Time ours with and without the sandbox and serial nbgrader; True if same scores."""

    def ours(sandbox: bool):
        out = work / ("sandboxed" if sandbox else "unsandboxed")
        settings = Settings(sandbox=sandbox)
        return grade_class(work / "class", out, lesson_ids, args.jobs, True, template, settings)

    sandboxed, with_box = timed("instructor.grade (sandbox)", lambda: ours(True))
    unsandboxed, without_box = timed("instructor.grade --no-sandbox", lambda: ours(False))
    serial, baseline = timed(
        "serial nbgrader autograde",
        lambda: serial_nbgrader(work / "class", work / "serial", lesson_ids),
    )
    runs = {
        "sandboxed": _scores(sandboxed, lesson_ids),
        "unsandboxed": _scores(unsandboxed, lesson_ids),
    }
    differ = {
        name: [k for k in scores if abs(scores[k] - serial[k]) > 0.01]
        for name, scores in runs.items()
    }
    for label, seconds in (
        (f"instructor.grade, {args.jobs} jobs, sandbox", with_box),
        (f"instructor.grade, {args.jobs} jobs, --no-sandbox", without_box),
        ("plain serial nbgrader autograde", baseline),
    ):
        print(f"{label:45} {seconds:7.1f} s  {60 * notebooks / seconds:6.1f} notebooks/min")
    print(f"speed-up with the sandbox: {baseline / with_box:.2f}x (feedback included)")
    cost = (with_box - without_box) * args.jobs / notebooks
    print(f"the sandbox's cost: {cost:.3f} s of a core per notebook")
    same = all(not keys for keys in differ.values())
    print("same scores in all three runs: " + ("yes" if same else f"no: {differ}"))
    return same


def on_cluster(address: str, work: Path, template, lesson_ids: list) -> tuple:
    """Grade the class on the cluster at `address` (or local:N); (label, records, seconds).
    The workers are prepared (templates and grading servers made) before the clock; the
    timed grade_class checks them for the same lessons and settings, which does nothing."""
    with connect(address) as client:
        runner, settings = DaskRunner(client), Settings()
        runner.check(lesson_ids, settings)
        label = f"Dask {address}, worker threads: {runner.capacity()}"
        out = work / f"dask-{address.replace('/', '_').replace(':', '_')}"
        jobs = runner.jobs()
        records, seconds = timed(
            label,
            lambda: grade_class(
                work / "class", out, lesson_ids, jobs, True, template, settings, runner
            ),
        )
    return label, records, seconds


def compare_with_clusters(work: Path, template, lesson_ids: list, notebooks: int, args) -> bool:
    """Time ours here and on each cluster asked for; True if every run gave the same scores."""
    here = f"instructor.grade, {args.jobs} jobs, here"
    start_server()  # as each worker's, started before the clock (see on_cluster)
    local, baseline = timed(
        here,
        lambda: grade_class(work / "class", work / "here", lesson_ids, args.jobs, True, template),
    )
    expected = _scores(local, lesson_ids)
    addresses = [f"local:{n}" for n in args.workers or []]
    addresses += [args.scheduler] if args.scheduler else []
    runs = [(here, baseline)]
    differ = {}
    for address in addresses:
        label, records, seconds = on_cluster(address, work, template, lesson_ids)
        runs.append((label, seconds))
        scores = _scores(records, lesson_ids)
        differ[label] = [k for k in expected if abs(scores[k] - expected[k]) > 0.01]
    for label, seconds in runs:
        rate = 60 * notebooks / seconds
        print(f"{label:50} {seconds:7.1f} s  {rate:6.1f} notebooks/min  {baseline / seconds:.2f}x")
    same = all(not keys for keys in differ.values())
    print("same scores as grading here: " + ("yes" if same else f"no: {differ}"))
    return same


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=default_jobs())
    parser.add_argument(
        "--workers",
        type=int,
        nargs="+",
        metavar="N",
        help="also grade on a LocalCluster of N worker processes (one thread each), per N",
    )
    parser.add_argument("--scheduler", metavar="ADDRESS", help="also grade on this Dask cluster")
    args = parser.parse_args()
    lesson_ids = lessons()
    compare = compare_with_clusters if args.workers or args.scheduler else compare_with_nbgrader
    with tempfile.TemporaryDirectory(prefix="bench-grade-") as tmp:
        work = Path(tmp)
        template = prepare_template(work / "template_out", lesson_ids)
        released = {les: template.path("release", les, f"{les}.ipynb") for les in lesson_ids}
        make_class(work / "class", released, args.students)
        notebooks = args.students * len(lesson_ids)
        print(
            f"class: {args.students} students x {len(lesson_ids)} lessons = {notebooks} notebooks"
        )
        same = compare(work, template, lesson_ids, notebooks, args)
    sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
