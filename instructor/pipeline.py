"""The instructor's pipeline on the bundled sample class (the README's first command).

    python -m instructor.pipeline

For every lesson: generate the student release, write the sample submissions, autograde
them with nbgrader, generate the feedback HTML, export the grades to CSV and print a
per-student, per-lesson score table next to the scores the sample class must get.
Everything lives in build/sample_class/, wiped at the start, so it can be re-run at will.
"""

import csv
import sys
import time
from pathlib import Path

from instructor.course import BUILD, CourseDir, lessons
from instructor.release import generate_release
from instructor.sample_class import STUDENTS
from instructor.submissions import catalog_sources, solution_sources, write_submission

WORKDIR = BUILD / "sample_class"


def write_sample_submissions(course_dir: CourseDir, released: dict[str, Path]) -> None:
    for lesson, notebook in released.items():
        full = solution_sources(lesson)
        for student in STUDENTS:
            names = student.answers.get(lesson)
            sources = None if names is None else {**full, **catalog_sources(lesson, names)}
            target = course_dir.path("submitted", student.student_id, lesson, notebook.name)
            write_submission(notebook, target, sources)


def read_grades(grades_csv: Path) -> dict[tuple[str, str], float]:
    """{(student_id, lesson): score} from nbgrader's CSV export."""
    with grades_csv.open() as handle:
        return {
            (row["student_id"], row["assignment"]): float(row["score"])
            for row in csv.DictReader(handle)
        }


def score_table(grades: dict, lesson_ids: list[str]) -> tuple[str, int]:
    """The printed table and the number of scores that differ from the sample's expectation."""
    header = (
        f"{'student':10}"
        + "".join(f"{lesson:>18}" for lesson in lesson_ids)
        + f"{'total':>8}  note"
    )
    lines, mismatches = [header, "-" * len(header)], 0
    for student in STUDENTS:
        cells, total = [], 0.0
        for lesson in lesson_ids:
            score = grades.get((student.student_id, lesson), 0.0)
            expected = student.expected.get(lesson)
            ok = expected is None or abs(score - expected) < 1e-6
            mismatches += not ok
            cells.append(f"{score:>17g}{' ' if ok else '!'}")
            total += score
        lines.append(f"{student.student_id:10}{''.join(cells)}{total:>8g}  {student.about}")
    return "\n".join(lines), mismatches


def run(workdir: Path = WORKDIR) -> int:
    started = time.perf_counter()
    course_dir = CourseDir(workdir)
    lesson_ids = lessons()
    print(f"1/5 releasing {len(lesson_ids)} lesson(s)", flush=True)
    released = generate_release(course_dir)
    print(f"2/5 writing submissions of {len(STUDENTS)} sample students", flush=True)
    write_sample_submissions(course_dir, released)
    for lesson in lesson_ids:
        print(f"3/5 autograding {lesson}", flush=True)
        course_dir.nbgrader("autograde", lesson, "--force")
        print(f"4/5 feedback for {lesson}", flush=True)
        course_dir.nbgrader("generate_feedback", lesson, "--force")
    grades_csv = workdir / "grades.csv"
    print(f"5/5 exporting grades to {grades_csv}", flush=True)
    course_dir.nbgrader("export", f"--to={grades_csv}")
    table, mismatches = score_table(read_grades(grades_csv), lesson_ids)
    print()
    print(table)
    print()
    print(f"feedback: {workdir / 'feedback'}")
    print(f"done in {time.perf_counter() - started:.1f} s; ", end="")
    print(
        "every score as expected" if not mismatches else f"{mismatches} score(s) differ (marked !)"
    )
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(run())
