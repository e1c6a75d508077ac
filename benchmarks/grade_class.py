"""Benchmark: grade a generated class with `instructor.grade` against plain serial nbgrader.

    PYTHONPATH=. .venv/bin/python benchmarks/grade_class.py [--students 50] [--jobs 2]

The class cycles through the sample students' answers (instructor/sample_class.py), so its
scores are known. Prints wall time, notebooks per minute, the speed-up over one serial
`nbgrader autograde` per lesson on the same class in the same run, and whether the two
runs gave the same score to every notebook.
"""

import argparse
import os
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


def serial_nbgrader(template: CourseDir, submissions: Path, root: Path, lesson_ids: list) -> dict:
    course = CourseDir.copy_of(template, root)
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    lesson_ids = lessons()
    with tempfile.TemporaryDirectory(prefix="bench-grade-") as tmp:
        work = Path(tmp)
        template = prepare_template(work / "template_out", lesson_ids)
        released = {
            lesson: template.path("release", lesson, f"{lesson}.ipynb") for lesson in lesson_ids
        }
        make_class(work / "class", released, args.students)
        notebooks = args.students * len(lesson_ids)

        started = time.perf_counter()
        records = grade_class(
            work / "class", work / "parallel", lesson_ids, args.jobs, True, template
        )
        parallel = time.perf_counter() - started

        started = time.perf_counter()
        serial_scores = serial_nbgrader(template, work / "class", work / "serial", lesson_ids)
        serial = time.perf_counter() - started

    ours = {
        (s, lesson): lesson_score(r, lesson) for s, r in records.items() for lesson in lesson_ids
    }
    differ = [key for key in ours if abs(ours[key] - serial_scores[key]) > 0.01]
    print(f"class: {args.students} students x {len(lesson_ids)} lessons = {notebooks} notebooks")
    rate = 60 * notebooks / parallel
    print(f"instructor.grade, {args.jobs} jobs: {parallel:7.1f} s  {rate:6.1f} notebooks/min")
    print(
        f"serial nbgrader autograde:  {serial:7.1f} s  {60 * notebooks / serial:6.1f} notebooks/min"
    )
    print(
        f"speed-up: {serial / parallel:.2f}x"
        " (instructor.grade also writes feedback and runs the trusted re-grade)"
    )
    verdict = "yes" if not differ else f"no, {len(differ)} differ: {differ[:5]}"
    print(f"same scores as serial nbgrader: {verdict}")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
