"""Benchmark: `instructor.grade` on a generated class against plain serial nbgrader.

    PYTHONPATH=. .venv/bin/python benchmarks/grade_class.py [--students 50] [--jobs 2]

The class cycles through the sample students' answers (instructor/classes/sample.py), so
its scores are known. In one run, on the same class, it times:

- `instructor.grade` as an instructor runs it: sandboxed, one run per notebook, feedback;
- the same without the sandbox (--no-sandbox), to show what the sandbox costs per notebook;
- plain serial `nbgrader autograde`, one call per lesson, with the hidden tests run inside
  the student's kernel (benchmarks/inkernel.py): what nbgrader alone gives an instructor.

It prints wall times, notebooks per minute, the speed-up over the baseline and whether
every notebook got the same score in all three.
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
from instructor.engine.course import CourseDir, lessons
from instructor.engine.report import lesson_score
from instructor.engine.run import grade_class, prepare_template
from instructor.engine.student import Settings

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    lesson_ids = lessons()
    with tempfile.TemporaryDirectory(prefix="bench-grade-") as tmp:
        work = Path(tmp)
        template = prepare_template(work / "template_out", lesson_ids)
        released = {les: template.path("release", les, f"{les}.ipynb") for les in lesson_ids}
        make_class(work / "class", released, args.students)
        notebooks = args.students * len(lesson_ids)
        print(
            f"class: {args.students} students x {len(lesson_ids)} lessons = {notebooks} notebooks"
        )

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
    sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
