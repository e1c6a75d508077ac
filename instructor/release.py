"""Generate the student notebooks of course/ from solutions/ with nbgrader.

    python -m instructor.release          # rewrite course/ from solutions/

course/ is committed so students can use it straight from a clone; the test suite fails
when it differs from what this command would write now.
"""

import shutil
import tempfile
from pathlib import Path

from instructor.engine.course import COURSE, CourseDir, lessons


def generate_release(course_dir: CourseDir, lesson_ids=None) -> dict[str, Path]:
    """Run nbgrader generate_assignment for the lessons (default: all); {lesson: notebook}."""
    released = {}
    for lesson in lesson_ids or lessons():
        course_dir.nbgrader("generate_assignment", lesson, "--force", "--create")
        released[lesson] = course_dir.path("release", lesson, f"{lesson}.ipynb")
    return released


def write_course(released: dict[str, Path], target: Path = COURSE) -> None:
    """Copy the released notebooks into `target`, one flat file per lesson."""
    target.mkdir(exist_ok=True)
    for stale in set(target.glob("*.ipynb")) - {target / p.name for p in released.values()}:
        stale.unlink()
    for notebook in released.values():
        shutil.copyfile(notebook, target / notebook.name)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="rnnlab-release-") as workdir:
        released = generate_release(CourseDir(Path(workdir)))
        write_course(released)
    print(f"wrote {len(released)} student notebooks to {COURSE}")


if __name__ == "__main__":
    main()
