"""A class of broken submission *files* of lesson 01, one student per case.

Where `hostile.py` attacks the grader with code, these students attack the reading of the
submissions folder: symlinks (dangling, looping, out of the folder, to the master solution),
FIFOs, sockets, devices, directories in the notebook's place, unreadable or huge files, bytes
that are not a notebook, and notebooks whose nbgrader metadata is not what nbgrader writes.
Two ordinary students are graded beside them, to show they are unaffected.

Each case records the trusted score the grader must give (0 for all that cannot be graded),
a phrase its flag must contain ("" when nothing needs a look) and a writer that makes the
student's folder from the full-marks notebook. `write_broken_class` makes the class.
"""

import copy
import json
import os
import socket
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat

from instructor.classes.notebooks import catalog_sources, fill, solution_sources
from instructor.engine.collect import MAX_NOTEBOOK_BYTES
from instructor.engine.course import COURSE

LESSON = "01_rnn_forward"
NOTEBOOK = f"{LESSON}.ipynb"
FULL = 8.0
MASTER = f"/proc/self/cwd/solutions/{NOTEBOOK}"  # the grader's cwd is the repository
AS_ROOT = os.geteuid() == 0  # root reads a file whatever its permissions

Writer = Callable[[Path, dict], None]  # (student folder, full-marks notebook)


@dataclass(frozen=True)
class BrokenFile:
    student_id: str
    score: float
    flag: str
    about: str
    write: Writer


def full_marks_notebook() -> dict:
    """The released lesson 01 with every solution cell solved."""
    release = json.loads((COURSE / NOTEBOOK).read_text())
    return fill(release, solution_sources(LESSON))


def lesson_folder(student: Path) -> Path:
    folder = student / LESSON
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def notebook_bytes(notebook: dict) -> bytes:
    return json.dumps(notebook, indent=1).encode()


def nested(depth: int) -> list:
    """[[[...]]]: `depth` lists, one inside the other."""
    value = []
    for _ in range(depth):
        value = [value]
    return value


def make_fifo(path: Path) -> None:
    os.mkfifo(path)


def make_socket(path: Path) -> None:
    """A Unix socket file at `path` (bound through /proc, as socket paths are short)."""
    folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        with socket.socket(socket.AF_UNIX) as server:
            server.bind(f"/proc/self/fd/{folder}/{path.name}")
    finally:
        os.close(folder)


def make_device(path: Path) -> None:
    """A character device like /dev/zero (needs the right to make device nodes)."""
    os.mknod(path, stat.S_IFCHR | 0o600, os.makedev(1, 5))


def can_make_devices(scratch: Path) -> bool:
    try:
        make_device(scratch / "device-probe")
    except PermissionError:
        return False
    os.unlink(scratch / "device-probe")
    return True


def _notebook(change: Callable[[dict], dict] = lambda nb: nb, name: str = NOTEBOOK) -> Writer:
    """Writes the full-marks notebook, changed by `change`, as `<lesson>/<name>`."""
    return lambda student, nb: write_bytes(
        lesson_folder(student) / name, notebook_bytes(change(copy.deepcopy(nb)))
    )


def _raw(data: bytes) -> Writer:
    return lambda student, _nb: write_bytes(lesson_folder(student) / NOTEBOOK, data)


def _special(make: Callable[[Path], None], name: str = NOTEBOOK) -> Writer:
    return lambda student, _nb: make(lesson_folder(student) / name)


def _symlink(target: str, where: str = f"{LESSON}/{NOTEBOOK}") -> Writer:
    """A symlink at `<student>/<where>` ("" for the student folder itself) to `target`."""

    def write(student: Path, _nb: dict) -> None:
        link = student / where if where else student
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(target)

    return write


def _cell(nb: dict, grade_id: str) -> dict:
    return next(c for c in nb["cells"] if c["metadata"]["nbgrader"].get("grade_id") == grade_id)


def _set_meta(grade_id: str, key: str, value) -> Callable[[dict], dict]:
    def change(nb: dict) -> dict:
        meta = _cell(nb, grade_id)["metadata"]
        (meta if key == "nbgrader" else meta["nbgrader"])[key] = value
        return nb

    return change


def _nbformat3(nb: dict) -> dict:
    return json.loads(nbformat.writes(nbformat.convert(nbformat.from_dict(nb), 3)))


def _duplicate_cell(nb: dict) -> dict:
    cell = copy.deepcopy(_cell(nb, "softmax"))
    cell["id"] = "softmax-copy"
    nb["cells"].insert(nb["cells"].index(_cell(nb, "softmax")) + 1, cell)
    return nb


def _to_markdown(nb: dict) -> dict:
    cell = _cell(nb, "softmax")
    cell["cell_type"] = "markdown"
    del cell["outputs"], cell["execution_count"]
    return nb


def _drop_cell(grade_id: str) -> Callable[[dict], dict]:
    def change(nb: dict) -> dict:
        nb["cells"].remove(_cell(nb, grade_id))
        return nb

    return change


def _hostile_grade_ids(nb: dict) -> dict:
    """Two cells share an 11,000-character grade_id full of newlines and terminal escapes."""
    hostile = "x\n\x1b[2J  alice 01_rnn_forward: fake line\r" * 250
    for cell in nb["cells"][:2]:
        cell["metadata"]["nbgrader"]["grade_id"] = hostile
    return nb


def _unreadable(student: Path, nb: dict) -> None:
    _notebook()(student, nb)
    (student / LESSON / NOTEBOOK).chmod(0)


def _hard_link(student: Path, nb: dict) -> None:
    _notebook()(student, nb)
    (student / "backup").mkdir()
    os.link(student / LESSON / NOTEBOOK, student / "backup" / NOTEBOOK)


def _huge(student: Path, _nb: dict) -> None:
    with open(lesson_folder(student) / NOTEBOOK, "wb") as file:
        file.truncate(MAX_NOTEBOOK_BYTES + 1_000_000)  # sparse: costs no disk


def _several(student: Path, nb: dict) -> None:
    for name in ("Lesson1.ipynb", "Lesson1-final.ipynb"):
        _notebook(name=name)(student, nb)


def _symlink_loop(student: Path, _nb: dict) -> None:
    folder = lesson_folder(student)
    (folder / NOTEBOOK).symlink_to("loop.ipynb")
    (folder / "loop.ipynb").symlink_to(NOTEBOOK)


def _text_patch(old: bytes, new: bytes) -> Writer:
    """The full-marks notebook's bytes with its first `old` replaced by `new`."""
    return lambda student, nb: _raw(notebook_bytes(nb).replace(old, new, 1))(student, nb)


def _partial(student: Path, nb: dict) -> None:
    sources = catalog_sources(LESSON, ["naive softmax without the max shift"])
    _notebook(lambda full: fill(full, sources))(student, nb)


DEVICE = BrokenFile(
    "f30_device",
    0.0,
    "a character device",
    "a device node like /dev/zero (only where device nodes can be made)",
    _special(make_device),
)
GOOD = [
    BrokenFile("a_full", FULL, "", "the full-marks notebook", _notebook()),
    BrokenFile("a_partial", 7.6, "", "softmax without the max shift", _partial),
]
CASES = [
    BrokenFile(
        "f01_notebook_is_directory",
        0.0,
        "the notebook is a directory",
        "a folder named 01_rnn_forward.ipynb",
        _special(os.mkdir),
    ),
    BrokenFile(
        "f02_dangling_symlink",
        0.0,
        "a symlink that points nowhere",
        "the notebook is a symlink to a missing file",
        _symlink("gone.ipynb"),
    ),
    BrokenFile(
        "f03_symlink_loop", 0.0, "a symlink loop", "two symlinks to each other", _symlink_loop
    ),
    BrokenFile(
        "f04_fifo",
        0.0,
        "a named pipe (FIFO)",
        "a FIFO in the notebook's place",
        _special(make_fifo),
    ),
    BrokenFile(
        "f05_symlink_to_master",
        0.0,
        "a symlink out of the submissions folder",
        "a symlink to the master solution, through the grader's /proc/self/cwd",
        _symlink(MASTER),
    ),
    BrokenFile(
        "f06_nbgrader_null",
        0.0,
        "cell 7's nbgrader metadata is null",
        'the softmax cell\'s metadata has "nbgrader": null',
        _notebook(_set_meta("softmax", "nbgrader", None)),
    ),
    BrokenFile(
        "f07_grade_id_list",
        0.0,
        "cell 7's grade_id is a list, not a name",
        "a grade_id that is a list",
        _notebook(_set_meta("softmax", "grade_id", ["softmax"])),
    ),
    BrokenFile(
        "f08_permissions_000",
        FULL if AS_ROOT else 0.0,
        "" if AS_ROOT else "Permission denied",
        "the full-marks notebook with mode 000 (root reads it anyway)",
        _unreadable,
    ),
    BrokenFile(
        "f09_empty_folder",
        0.0,
        "missing notebook 01_rnn_forward.ipynb",
        "an empty student folder",
        lambda student, _nb: student.mkdir(),
    ),
    BrokenFile(
        "f10_hard_link",
        FULL,
        "2 names (hard links)",
        "the notebook has a second name in another folder",
        _hard_link,
    ),
    BrokenFile("f11_huge_file", 0.0, "MB limit: not read", "a 21 MB file", _huge),
    BrokenFile(
        "f12_lesson_folder_symlink",
        0.0,
        "the lesson folder is a symlink within the submissions folder",
        "the lesson folder is a symlink to another student's",
        _symlink(f"../a_full/{LESSON}", where=LESSON),
    ),
    BrokenFile(
        "f13_student_folder_symlink",
        0.0,
        "the student folder is a symlink out of the submissions folder",
        "the student folder is a symlink to the grader's working directory",
        _symlink("/proc/self/cwd", where=""),
    ),
    BrokenFile("f14_nul_bytes", 0.0, "only NUL bytes", "a file of NUL bytes", _raw(b"\0" * 4096)),
    BrokenFile(
        "f15_invalid_utf8",
        0.0,
        "not valid UTF-8",
        "a byte 0xff in the notebook's text",
        _text_patch(b"def softmax", b"def soft\xffmax"),
    ),
    BrokenFile(
        "f16_nbformat3",
        FULL,
        "",
        "the full-marks notebook saved as nbformat 3 (upgraded and graded)",
        _notebook(_nbformat3),
    ),
    BrokenFile(
        "f17_mixed_versions",
        0.0,
        "not a valid notebook",
        "an nbformat 4 notebook that says it is version 3",
        _notebook(lambda nb: {**nb, "nbformat": 3}),
    ),
    BrokenFile(
        "f18_duplicate_grade_ids",
        0.0,
        'grade_id "softmax" is in cells 7 and 8',
        "the softmax solution cell copied",
        _notebook(_duplicate_cell),
    ),
    BrokenFile(
        "f19_solution_markdown",
        0.0,
        "cell 7 (softmax) is a markdown cell, not code",
        "the softmax solution cell turned into markdown",
        _notebook(_to_markdown),
    ),
    BrokenFile(
        "f20_several_notebooks",
        0.0,
        "several other notebooks",
        "two wrongly named notebooks",
        _several,
    ),
    BrokenFile("f21_socket", 0.0, "a socket", "a Unix socket file", _special(make_socket)),
    BrokenFile(
        "f22_wrong_name_symlink",
        0.0,
        "a symlink out of the submissions folder",
        "the only notebook, wrongly named, is a symlink to the master",
        _symlink(MASTER, where=f"{LESSON}/Lesson1.ipynb"),
    ),
    BrokenFile(
        "f23_json_list", 0.0, "the JSON is a list, not an object", "a JSON list", _raw(b"[]")
    ),
    BrokenFile(
        "f24_deep_nesting",
        0.0,
        "JSON nested more than 64 levels deep",
        "100,000 nested lists",
        _raw(b"[" * 100_000),
    ),
    BrokenFile(
        "f25_lone_surrogate",
        0.0,
        "text that is not valid Unicode",
        "a solution cell with a lone UTF-16 surrogate (\\ud800)",
        _text_patch(b"def softmax", b"def soft\\ud800max"),
    ),
    BrokenFile(
        "f26_hostile_grade_ids",
        0.0,
        "cell 1's grade_id is the text",
        "two cells share a 10 KB grade_id with newlines and terminal escapes",
        _notebook(_hostile_grade_ids),
    ),
    BrokenFile(
        "f27_negative_points",
        0.0,
        "points is the number -8, not a number of 0 or more",
        "a graded cell claims -8 points",
        _notebook(_set_meta("grade_softmax", "points", -8)),
    ),
    BrokenFile(
        "f28_lesson_folder_is_file",
        0.0,
        "the lesson folder is a regular file, not a folder",
        "a file named 01_rnn_forward",
        lambda student, nb: write_bytes(student / LESSON, notebook_bytes(nb)),
    ),
    BrokenFile(
        "f29_solution_cell_deleted",
        0.0,
        "rnn_forward is missing",
        "the rnn_forward solution cell deleted",
        _notebook(_drop_cell("rnn_forward")),
    ),
    BrokenFile(
        "f31_deep_metadata",
        0.0,
        "JSON nested more than 64 levels deep",
        "a value nested 400 levels deep in a cell's nbgrader metadata",
        _notebook(_set_meta("softmax", "deep", nested(400))),
    ),
    DEVICE,
]


def write_broken_class(folder: Path) -> list[BrokenFile]:
    """Write the good students and every case this machine can make; return those written."""
    nb = full_marks_notebook()
    devices = can_make_devices(folder)
    written = [case for case in GOOD + CASES if devices or case is not DEVICE]
    for case in written:
        case.write(folder / case.student_id, nb)
    return written
