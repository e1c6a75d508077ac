"""A class of broken submission files grades in one run: each case its exact score and flag,
the good students unaffected, and the submissions folder exactly as it was (FIFOs, sockets,
devices and symlinks included)."""

import pytest

from instructor.classes.broken_files import CASES, GOOD, LESSON, write_broken_class
from instructor.classes.folder_state import folder_state
from instructor.engine.collect import FLAG_CHARS
from instructor.engine.report import lesson_score
from instructor.engine.run import grade_class

UNPRINTABLE = "f99_new\nline"  # a student folder whose name could forge summary lines


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    submissions = tmp_path_factory.mktemp("broken_files")
    written = write_broken_class(submissions)
    (submissions / UNPRINTABLE / LESSON).mkdir(parents=True)
    before = folder_state(submissions)
    out = submissions.parent / "broken_files_grading"
    records = grade_class(submissions, out, [LESSON], jobs=2)
    summary = (out / "summary.txt").read_text()
    return records, summary, written, before == folder_state(submissions)


@pytest.mark.parametrize("case", GOOD + CASES, ids=[c.student_id for c in GOOD + CASES])
def test_score_and_flag(graded, case):
    records, summary, written = graded[:3]
    if case not in written:
        pytest.skip("this machine cannot make device nodes")
    assert lesson_score(records[case.student_id], LESSON) == case.score, summary
    flags = records[case.student_id]["lessons"][LESSON]["flags"]
    if case.flag:
        assert any(case.flag in flag for flag in flags), flags
    else:
        assert flags == [], flags
    lines = [line for line in summary.splitlines() if line.startswith(f"  {case.student_id} ")]
    assert len(lines) == len(flags)


def test_every_flag_is_one_short_printable_line(graded):
    for record in graded[0].values():
        for flag in record["lessons"][LESSON]["flags"]:
            assert flag.isprintable() and len(flag) <= FLAG_CHARS, flag


def test_the_run_grades_everyone_written_and_no_one_else(graded):
    records, _, written = graded[:3]
    assert set(records) == {case.student_id for case in written}
    assert UNPRINTABLE not in records


def test_the_submissions_folder_is_unchanged(graded):
    assert graded[3]
