"""Generate what students get: the notebooks of course/ and the public cases.

    python -m instructor.release          # rewrite course/ and rnnlab/data/public/

The notebooks come from solutions/ through nbgrader; the public cases of each lesson
(rnnlab.checks.casefile) from its hidden tests run on the reference solutions
(grader_tests.public_cases). Both are committed so students can use them straight from a
clone; the test suite fails when either differs from what this command would write now.
"""

import shutil
import sys
import tempfile
from pathlib import Path

from instructor.engine.course import COURSE, CourseDir, NbgraderError, lessons
from rnnlab.checks import casefile


def generate_release(course_dir: CourseDir, lesson_ids=None) -> dict[str, Path]:
    """nbgrader generate_assignment for the lessons (default: all), all in one process that
    loads nbgrader once; {lesson: released notebook}."""
    lesson_ids = list(lesson_ids or lessons())
    course_dir.run_python("-m", "instructor.release", "--into", course_dir.root, *lesson_ids)
    return {lesson: course_dir.path("release", lesson, f"{lesson}.ipynb") for lesson in lesson_ids}


def _generate_here(root: str, lesson_ids: list) -> None:
    """In this process: generate_assignment of each lesson in the course directory root."""
    from nbgrader.apps.nbgraderapp import NbGraderApp

    for lesson in lesson_ids:
        NbGraderApp.clear_instance()
        try:
            NbGraderApp.launch_instance(
                argv=[
                    "generate_assignment",
                    lesson,
                    "--force",
                    "--create",
                    f"--CourseDirectory.root={root}",
                ]
            )
        except SystemExit as exit:
            if exit.code:
                raise NbgraderError(f"generate_assignment {lesson} failed") from None


def write_course(released: dict[str, Path], target: Path = COURSE) -> None:
    """Copy the released notebooks into `target`, one flat file per lesson."""
    target.mkdir(exist_ok=True)
    for stale in set(target.glob("*.ipynb")) - {target / p.name for p in released.values()}:
        stale.unlink()
    for notebook in released.values():
        shutil.copyfile(notebook, target / notebook.name)


def public_cases(lesson: str) -> bytes:
    """The bytes of `lesson`'s public-case file, made now from its hidden tests (imported
    here: the nbgrader step above runs this module without them)."""
    from grader_tests.public_cases import spec

    return casefile.encode(spec(lesson))


def write_public_cases() -> None:
    """Write each lesson's public-case file into rnnlab/data/public/ (casefile.FOLDER)."""
    casefile.FOLDER.mkdir(parents=True, exist_ok=True)
    for lesson in lessons():
        (casefile.FOLDER / f"{lesson}.wire").write_bytes(public_cases(lesson))


def main() -> None:
    if sys.argv[1:2] == ["--into"]:
        _generate_here(sys.argv[2], sys.argv[3:])
        return
    write_public_cases()
    with tempfile.TemporaryDirectory(prefix="rnnlab-release-") as workdir:
        released = generate_release(CourseDir(Path(workdir)))
        write_course(released)
    print(f"wrote {len(released)} student notebooks to {COURSE}, public cases to {casefile.FOLDER}")


if __name__ == "__main__":
    main()
