"""Reading a submissions folder safely: each promise of instructor.engine.collect, attacked.

These run without grading: `collect` alone, on folders built to break one promise each.
"""

import errno
import hashlib
import os
from pathlib import Path

import nbformat
import pytest

from instructor.classes.broken_files import (
    LESSON,
    NOTEBOOK,
    full_marks_notebook,
    make_fifo,
    notebook_bytes,
    write_bytes,
)
from instructor.classes.folder_state import folder_state
from instructor.engine import collect as collect_module
from instructor.engine.collect import check_notebook, collect, read_submission, students

GOOD = notebook_bytes(full_marks_notebook())


@pytest.fixture
def bait(tmp_path) -> Path:
    """A full-marks notebook outside the submissions folder: reading it would be following."""
    path = tmp_path / "outside" / NOTEBOOK
    write_bytes(path, GOOD)
    return path


@pytest.fixture
def submissions(tmp_path) -> Path:
    folder = tmp_path / "submissions"
    folder.mkdir()
    return folder


def notebook_path(submissions: Path, student: str = "s") -> Path:
    path = submissions / student / LESSON / NOTEBOOK
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def test_a_good_notebook_is_read_and_accepted(submissions):
    write_bytes(notebook_path(submissions), GOOD)
    submission = collect(submissions, "s", LESSON)
    assert submission.raw == GOOD and submission.problems == []
    assert submission.digest == hashlib.sha256(GOOD).hexdigest()
    nbformat.validate(nbformat.from_dict(submission.notebook))


@pytest.mark.parametrize("level", ["student", "lesson", "notebook"])
def test_a_symlink_out_is_never_followed_at_any_level(submissions, bait, level, deadline):
    targets = {"student": bait.parent.parent, "lesson": bait.parent, "notebook": bait}
    (bait.parent.parent / LESSON).symlink_to(bait.parent)  # bait/../01_rnn_forward/<notebook>
    links = {
        "student": submissions / "s",
        "lesson": submissions / "s" / LESSON,
        "notebook": submissions / "s" / LESSON / NOTEBOOK,
    }
    links[level].parent.mkdir(parents=True, exist_ok=True)
    links[level].symlink_to(targets[level])
    with deadline(5):
        submission = collect(submissions, "s", LESSON)
    assert submission.raw is None and submission.notebook is None
    assert "symlink out of the submissions folder" in submission.problems[-1]


def test_a_symlink_inside_the_folder_is_not_followed_either(submissions):
    write_bytes(submissions / "other" / LESSON / NOTEBOOK, GOOD)
    notebook_path(submissions).symlink_to(f"../../other/{LESSON}/{NOTEBOOK}")
    submission = collect(submissions, "s", LESSON)
    assert submission.raw is None
    assert "symlink within the submissions folder" in submission.problems[-1]


def test_a_symlink_that_leaves_through_another_symlink_is_out(submissions, bait):
    (submissions / "s").mkdir()
    (submissions / "s" / "door").symlink_to(bait.parent)
    (submissions / "s" / LESSON).symlink_to("door")  # lexically inside, really outside
    submission = collect(submissions, "s", LESSON)
    assert "the lesson folder is a symlink out of the submissions folder" in submission.problems[0]


def test_a_fifo_never_blocks_even_with_a_writer_missing(submissions, deadline):
    make_fifo(notebook_path(submissions))
    with deadline(5):
        submission = collect(submissions, "s", LESSON)
    assert submission.raw is None and "named pipe (FIFO)" in submission.problems[0]


def test_a_swap_to_a_symlink_after_the_check_is_caught_by_o_nofollow(
    submissions, bait, monkeypatch
):
    """The type check and the open are two calls: a symlink put in between is not followed."""
    notebook_path(submissions).symlink_to(bait)
    real_stat = os.stat

    def stat_as_if_a_file(path, *, dir_fd=None, follow_symlinks=True):
        return real_stat(path, dir_fd=dir_fd, follow_symlinks=True)  # the check is fooled

    monkeypatch.setattr(collect_module.os, "stat", stat_as_if_a_file)
    submission = read_submission(submissions, "s", LESSON)
    assert submission.raw is None
    assert submission.problems == ["cannot read the notebook: Too many levels of symbolic links"]


def test_a_swap_to_a_fifo_after_the_check_is_caught_by_fstat(submissions, monkeypatch, deadline):
    make_fifo(notebook_path(submissions))
    real_stat, regular = os.stat, os.stat(__file__)

    def stat_as_if_a_file(path, **kwargs):
        return regular if path == NOTEBOOK else real_stat(path, **kwargs)  # the check is fooled

    monkeypatch.setattr(collect_module.os, "stat", stat_as_if_a_file)
    with deadline(5):
        submission = read_submission(submissions, "s", LESSON)
    assert submission.raw is None
    assert submission.problems == ["the notebook changed while it was being opened: not read"]


def test_the_size_cap_holds_for_a_file_that_grows_after_fstat(submissions, monkeypatch):
    write_bytes(notebook_path(submissions), b" " * 5000)
    monkeypatch.setattr(collect_module, "MAX_NOTEBOOK_BYTES", 4000)
    real_fstat = os.fstat

    def fstat_before_growth(fd):
        info = real_fstat(fd)
        return os.stat_result((*info[:6], 10, *info[7:]))  # st_size 10: "small" when checked

    monkeypatch.setattr(collect_module.os, "fstat", fstat_before_growth)
    submission = read_submission(submissions, "s", LESSON)
    assert submission.raw is None and "more than the 0.004 MB limit" in submission.problems[0]


def test_an_input_output_error_is_a_flag_not_a_crash(submissions, monkeypatch):
    write_bytes(notebook_path(submissions), GOOD)

    def broken_disk(_fd, _size):
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(collect_module.os, "read", broken_disk)
    submission = collect(submissions, "s", LESSON)
    assert submission.raw is None and submission.notebook is None
    assert submission.problems == ["cannot read the submission: Input/output error"]


def test_reading_changes_nothing_in_the_folder(submissions, bait):
    write_bytes(notebook_path(submissions, "a"), GOOD)
    make_fifo(notebook_path(submissions, "b"))
    notebook_path(submissions, "c").symlink_to(bait)
    before = folder_state(submissions)
    for student in students(submissions):
        collect(submissions, student, LESSON)
    assert folder_state(submissions) == before


def test_the_class_list_follows_no_symlink_and_skips_unprintable_names(submissions, caplog):
    (submissions / "ada").mkdir()
    (submissions / "ben").symlink_to("/")
    (submissions / "bad\nname").mkdir()
    (submissions / os.fsdecode(b"bad\xffname")).mkdir()
    (submissions / ".hidden").mkdir()
    (submissions / "notes.txt").write_text("not a student")
    assert students(submissions) == ["ada", "ben"]
    assert caplog.text.count("left out a student folder") == 2


@pytest.mark.parametrize("student_id", ["..", ".", "a/b", ""])
def test_a_student_id_that_is_not_a_folder_name_is_refused(submissions, student_id):
    write_bytes(submissions / "a" / "b" / LESSON / NOTEBOOK, GOOD)
    submission = read_submission(submissions, student_id, LESSON)
    assert submission.raw is None and "is not a folder name" in submission.problems[0]


def test_flags_quote_the_files_contents_on_one_short_line():
    hostile = "\n".join(["cell 1 ok", "\x1b[31m  ada 01_rnn_forward: all good"] * 500)
    notebook = full_marks_notebook()
    notebook["cells"][0]["metadata"]["nbgrader"]["grade_id"] = hostile
    notebook["cells"][1]["metadata"]["nbgrader"]["points"] = hostile
    result, problems = check_notebook(notebook_bytes(notebook), LESSON)
    assert result is None and len(problems) == 1
    assert problems[0].isprintable() and len(problems[0]) <= collect_module.FLAG_CHARS


def test_an_accepted_notebook_is_plain_json_upgraded_to_nbformat_4():
    v3 = nbformat.writes(nbformat.convert(nbformat.from_dict(full_marks_notebook()), 3))
    notebook, problems = check_notebook(v3.encode(), LESSON)
    assert problems == [] and notebook["nbformat"] == 4 and type(notebook) is dict


def test_a_cell_without_metadata_is_told_apart_from_null_metadata():
    """Found by the fuzz test: a cell whose "metadata" key was lost was called null."""
    notebook = full_marks_notebook()
    del notebook["cells"][3]["metadata"]
    notebook["cells"][5]["metadata"] = None
    assert check_notebook(notebook_bytes(notebook), LESSON)[1] == [
        "cell metadata is not what nbgrader writes: cell 4's metadata is missing"
    ]
    del notebook["cells"][3]
    assert check_notebook(notebook_bytes(notebook), LESSON)[1] == [
        "cell metadata is not what nbgrader writes: cell 5's metadata is null"
    ]
