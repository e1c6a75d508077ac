"""The class gradebook on a PostgreSQL server stays consistent when two grading runs write
it at once (nbgrader's FAQ warns SQLite is not safe for concurrent writers; a server is)."""

import glob
import multiprocessing
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from instructor.engine.course import CourseDir
from instructor.engine.gradebook import write_class_gradebook
from instructor.engine.run import prepare_template

LESSON = "01_rnn_forward"
SERVERS = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))


def _as_postgres(*command) -> list:
    """The command, run as the postgres user when we are root (PostgreSQL refuses root)."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else list(command)


@pytest.fixture(scope="module")
def database():
    """A private PostgreSQL server on a Unix socket; its URL."""
    if not SERVERS:
        pytest.skip("no PostgreSQL server here (tasks.py installs Debian's postgresql as root)")
    bin_dir = Path(SERVERS[-1]).parent
    root = Path(tempfile.mkdtemp(prefix="rnnlab-postgres-"))  # a folder postgres may enter
    data, sockets = root / "data", root / "sockets"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
    subprocess.run(
        _as_postgres(bin_dir / "initdb", "-D", data, "-U", "postgres"),
        check=True,
        capture_output=True,
    )
    options = f"-c listen_addresses='' -k {sockets} -p 5439"
    subprocess.run(  # the server keeps its output: a pipe here would never reach EOF
        _as_postgres(
            bin_dir / "pg_ctl", "-D", data, "-o", options, "-l", root / "log", "-w", "start"
        ),
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        subprocess.run(
            _as_postgres(bin_dir / "createdb", "-h", sockets, "-p", "5439", "class"),
            check=True,
            capture_output=True,
        )
        yield f"postgresql+psycopg2://postgres@/class?host={sockets}&port=5439"
    finally:
        subprocess.run(
            _as_postgres(bin_dir / "pg_ctl", "-D", data, "-m", "immediate", "stop"),
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return prepare_template(tmp_path_factory.mktemp("template"), [LESSON])


def _records(first: int, count: int) -> dict:
    return {
        f"s{index:03d}": {
            "lessons": {
                LESSON: {
                    "exercises": {
                        "softmax": 2.0,
                        "rnn_cell_forward": index % 4,
                        "rnn_forward": 1.5,
                    },
                    "fingerprint": "f" * 64,
                }
            }
        }
        for index in range(first, first + count)
    }


def _write(url: str, template_root: str, first: int, count: int, out: str) -> None:
    os.environ["RNNLAB_GRADEBOOK_URL"] = url
    write_class_gradebook(
        _records(first, count), [LESSON], Path(out), CourseDir(Path(template_root), fresh=False)
    )


def test_two_runs_writing_at_once_leave_every_score(database, template, tmp_path):
    from nbgrader.api import Gradebook

    context = multiprocessing.get_context("spawn")
    runs = [
        context.Process(
            target=_write, args=(database, str(template.root), first, 40, str(tmp_path / name))
        )
        for first, name in ((0, "a"), (20, "b"))  # 20 students in common
    ]
    for run in runs:
        run.start()
    for run in runs:
        run.join(timeout=300)
    assert [run.exitcode for run in runs] == [0, 0]
    expected = {**_records(0, 40), **_records(20, 40)}
    with Gradebook(database) as gradebook:
        assert sorted(s.id for s in gradebook.students) == sorted(expected)
        for student, record in expected.items():
            submission = gradebook.find_submission(LESSON, student)
            assert submission.score == sum(record["lessons"][LESSON]["exercises"].values())
            comment = gradebook.find_comment("softmax", LESSON, LESSON, student)
            assert comment.auto_comment.endswith("grader ffffffffffff")
