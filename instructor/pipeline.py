"""The instructor's pipeline on the bundled sample class (the README's first command).

    python -m instructor.pipeline

For every lesson: generate the student release, write the sample submissions from it, then
grade the class with `instructor.grade` (autograde, feedback, trusted grade, CSV export,
summary) and print a per-student, per-lesson score table next to the scores the sample
class must get. Everything lives in build/sample_class/, wiped at the start.
"""

import shutil
import sys
import time
from pathlib import Path

from instructor.classes.notebooks import catalog_sources, solution_sources, write_submission
from instructor.classes.sample import STUDENTS
from instructor.engine.course import BUILD, lessons
from instructor.engine.report import lesson_score
from instructor.engine.run import default_jobs, grade_class, prepare_template

WORKDIR = BUILD / "sample_class"


def write_sample_submissions(folder: Path, released: dict[str, Path]) -> None:
    """folder/<student>/<lesson>/<lesson>.ipynb for every sample student and lesson."""
    for lesson, notebook in released.items():
        full = solution_sources(lesson)
        for student in STUDENTS:
            names = student.answers.get(lesson)
            sources = None if names is None else {**full, **catalog_sources(lesson, names)}
            write_submission(
                notebook, folder / student.student_id / lesson / notebook.name, sources
            )


def score_table(records: dict, lesson_ids: list[str]) -> tuple[str, int]:
    """The printed table and the number of scores that differ from the sample's expectation."""
    header = (
        f"{'student':10}"
        + "".join(f"{lesson:>22}" for lesson in lesson_ids)
        + f"{'total':>8}  note"
    )
    lines, mismatches = [header, "-" * len(header)], 0
    for student in STUDENTS:
        record, cells, total = records[student.student_id], [], 0.0
        for lesson in lesson_ids:
            score, expected = lesson_score(record, lesson), student.expected.get(lesson)
            ok = expected is None or abs(score - expected) < 1e-6
            mismatches += not ok
            cells.append(f"{score:>21g}{' ' if ok else '!'}")
            total += score
        lines.append(f"{student.student_id:10}{''.join(cells)}{total:>8g}  {student.about}")
    return "\n".join(lines), mismatches


def run(workdir: Path = WORKDIR, jobs: int | None = None) -> int:
    started = time.perf_counter()
    shutil.rmtree(workdir, ignore_errors=True)
    lesson_ids = lessons()
    print(f"releasing {len(lesson_ids)} lessons", flush=True)
    out = workdir / "grading"
    template = prepare_template(out, lesson_ids)
    released = {
        lesson: template.path("release", lesson, f"{lesson}.ipynb") for lesson in lesson_ids
    }
    write_sample_submissions(workdir / "submissions", released)
    print(f"grading {len(STUDENTS)} sample students", flush=True)
    jobs = jobs or default_jobs()
    records = grade_class(workdir / "submissions", out, lesson_ids, jobs, True, template)
    table, mismatches = score_table(records, lesson_ids)
    print(f"\n{table}\n")
    summary = (out / "summary.txt").read_text()
    print("needs a human look:", summary.split("needs a human look:")[1].strip())
    print(f"done in {time.perf_counter() - started:.0f} s; ", end="")
    print(
        "every score as expected" if not mismatches else f"{mismatches} score(s) differ (marked !)"
    )
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(run())
