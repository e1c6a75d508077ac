"""Read and check each student's notebooks in a submissions folder, safely and read-only.

Layout, as nbgrader's exchange collects it: `<submissions>/<student_id>/<lesson>/<lesson>.ipynb`.

Reading (`read_submission`) never follows a symlink below the submissions folder (student
folder, lesson folder or notebook), opens nothing but a regular file, never blocks (a FIFO,
socket or device is reported, not read) and reads at most MAX_NOTEBOOK_BYTES. Checking
(`check_notebook`) is pure: it parses the bytes read and validates them with nbformat and
against the nbgrader metadata the course relies on. Every problem becomes one short line of
plain text for the summary; a notebook with a problem that stops grading has `notebook=None`.
Nothing in the submissions folder is ever changed.
"""

import errno
import hashlib
import json
import logging
import math
import os
import re
import stat
import warnings
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import nbformat

from instructor.engine.course import SOLUTIONS

MAX_NOTEBOOK_BYTES = 20_000_000  # a notebook with plots is well under 1 MB
EXCHANGE_FILES = ("timestamp.txt", "submission_secret.txt")  # what nbgrader adds
QUOTE_CHARS = 40  # longest quote of the file's contents in a flag
FLAG_CHARS = 240  # longest flag
LISTED = 3  # problems or file names listed in one flag; the rest are counted
READ_CHUNK = 1 << 20
MAX_JSON_DEPTH = 64  # real notebooks nest under 20; nbformat and nbgrader recurse per level
TOO_DEEP = f"more than {MAX_JSON_DEPTH} levels deep"

log = logging.getLogger(__name__)


@dataclass
class Submission:
    student_id: str
    lesson: str
    raw: bytes | None = None  # the notebook file's bytes, as read
    notebook: dict | None = None  # parsed and valid, or None when there is nothing to grade
    problems: list = field(default_factory=list)  # one-line reasons for a human look
    digest: str = ""  # sha256 of raw ("" when nothing was read)


class Rejected(Exception):
    """Why there is nothing to read or grade, in words a person understands."""


def students(submissions: Path) -> list[str]:
    """Student ids, sorted: the folders of the submissions folder, and its symlinks.

    A symlink is listed but never followed, so that its grade (0) says why. Hidden entries and
    plain files are not students; a name that is not printable text (a newline, invalid
    UTF-8) could not be reported safely, so it is left out with a warning in the log.
    """
    ids = []
    with os.scandir(submissions) as entries:
        for entry in entries:
            if entry.name.startswith(".") or not (
                entry.is_dir(follow_symlinks=False) or entry.is_symlink()
            ):
                continue
            if entry.name.isprintable():
                ids.append(entry.name)
            else:
                log.warning("left out a student folder whose name is not printable: %a", entry.name)
    return sorted(ids)


def collect(submissions: Path, student_id: str, lesson: str) -> Submission:
    """The read and checked submission of one student for one lesson."""
    submission = read_submission(submissions, student_id, lesson)
    if submission.raw is not None:
        submission.notebook, problems = check_notebook(submission.raw, lesson)
        submission.problems.extend(problems)
    return submission


def read_submission(submissions: Path, student_id: str, lesson: str) -> Submission:
    """The bytes of one student's notebook for one lesson, read safely (not checked)."""
    submission = Submission(student_id, lesson)
    try:
        submission.raw = _read(Path(os.path.realpath(submissions)), student_id, lesson, submission)
        submission.digest = hashlib.sha256(submission.raw).hexdigest()
    except Rejected as reason:
        submission.problems.append(_plain(str(reason), FLAG_CHARS))
    except OSError as error:  # listing or reading failed after a successful open (EIO...)
        submission.problems.append(f"cannot read the submission: {os.strerror(error.errno or 0)}")
    return submission


def check_notebook(raw: bytes, lesson: str) -> tuple[dict | None, list[str]]:
    """Parse and validate a notebook file's bytes: (notebook, []) or (None, [reason])."""
    try:
        data = _json_object(raw)
        notebook = _nbformat_v4(data)
        _check_nbgrader_metadata(notebook["cells"])
        _check_lesson_cells(notebook["cells"], lesson)
    except Rejected as reason:
        return None, [_plain(str(reason), FLAG_CHARS)]
    return notebook, []


# Reading


def _read(root: Path, student_id: str, lesson: str, submission: Submission) -> bytes:
    """The notebook's bytes; every folder on the way is opened relative to the one before."""
    if not _plain_name(student_id):
        raise Rejected(f"the student id {_quote(student_id)} is not a folder name")
    missing = f"missing notebook {lesson}.ipynb"
    with ExitStack() as stack:
        folder = stack.enter_context(
            _Descriptor(os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC))
        )
        path = root
        for name, what in ((student_id, "the student folder"), (lesson, "the lesson folder")):
            path = path / name
            fd = _open_entry(folder, path, root, what, f"{missing} (no folder {_quote(name)})")
            folder = stack.enter_context(_Descriptor(fd))
        path = path / _pick_notebook(os.listdir(folder), lesson, submission.problems)
        fd = stack.enter_context(
            _Descriptor(_open_entry(folder, path, root, "the notebook", missing))
        )
        links = os.fstat(fd).st_nlink
        if links > 1:
            submission.problems.append(
                f"the notebook file has {links} names (hard links): check it is the student's own"
            )
        return _read_capped(fd)


class _Descriptor(int):
    """An open file descriptor that closes when its `with` block ends."""

    def __enter__(self) -> int:
        return int(self)

    def __exit__(self, *_exc) -> None:
        os.close(self)


def _plain_name(name: str) -> bool:
    return bool(name) and "/" not in name and name not in (".", "..") and "\0" not in name


def _pick_notebook(names: list[str], lesson: str, problems: list) -> str:
    """The name of the entry to read as the notebook (the expected one, or a single other)."""
    expected = f"{lesson}.ipynb"
    if expected in names:
        others = sorted(n for n in names if n not in (expected, *EXCHANGE_FILES))
        if others:
            problems.append(f"extra files ignored: {_names(others)}")
        return expected
    notebooks = sorted(n for n in names if n.endswith(".ipynb") and not n.startswith("."))
    if len(notebooks) == 1:
        problems.append(f"notebook named {_quote(notebooks[0])}, expected {expected}: read instead")
        return notebooks[0]
    if notebooks:
        raise Rejected(
            f"no {expected}, and several other notebooks ({_names(notebooks)}): not graded"
        )
    raise Rejected(f"missing notebook {expected}")


def _open_entry(folder: int, path: Path, root: Path, what: str, missing: str) -> int:
    """Open `path.name` in the open folder `folder`: a real folder, or for the notebook a
    regular file; anything else (a symlink above all) is reported as Rejected.

    Never follows a symlink (O_NOFOLLOW) and never blocks (O_NONBLOCK); the type is checked
    before opening (nothing else is ever opened) and again on what was opened (it may have
    been swapped in between).
    """
    directory = what != "the notebook"
    wanted = stat.S_ISDIR if directory else stat.S_ISREG
    try:
        mode = os.stat(path.name, dir_fd=folder, follow_symlinks=False).st_mode
        if stat.S_ISLNK(mode):
            target = os.readlink(path.name, dir_fd=folder)
            raise Rejected(_symlink_reason(what, path, root, target))
        if not wanted(mode):
            expected = "a folder" if directory else "a file"
            raise Rejected(f"{what} is {_kind_of_file(mode)}, not {expected}: not read")
        flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
        fd = os.open(path.name, flags | (os.O_DIRECTORY if directory else 0), dir_fd=folder)
    except FileNotFoundError:
        raise Rejected(missing) from None
    except OSError as error:
        raise Rejected(f"cannot read {what}: {os.strerror(error.errno or 0)}") from None
    if not wanted(os.fstat(fd).st_mode):
        os.close(fd)
        raise Rejected(f"{what} changed while it was being opened: not read")
    return fd


def _read_capped(fd: int) -> bytes:
    """The content of the open regular file `fd`, if at most MAX_NOTEBOOK_BYTES."""
    chunks, size = [], os.fstat(fd).st_size
    if size <= MAX_NOTEBOOK_BYTES:
        size = 0
        while size <= MAX_NOTEBOOK_BYTES and (chunk := os.read(fd, READ_CHUNK)):
            chunks.append(chunk)
            size += len(chunk)
    if size > MAX_NOTEBOOK_BYTES:
        raise Rejected(
            f"the notebook is {size / 1e6:.1f} MB, more than the {MAX_NOTEBOOK_BYTES / 1e6:g} MB "
            "limit: not read"
        )
    return b"".join(chunks)


def _symlink_reason(what: str, path: Path, root: Path, target: str) -> str:
    """Say what a symlink at `path` points to, without ever opening it.

    A target outside the submissions folder by its very name is not looked at; one inside
    is resolved with lstat and readlink only, to tell a loop from a missing target.
    """
    lexical = os.path.normpath(os.path.join(path.parent, target))
    if os.path.commonpath([lexical, root]) != str(root):
        kind = "a symlink out of the submissions folder"
    else:
        try:
            resolved = os.path.realpath(path, strict=True)
        except OSError as error:
            loop = error.errno == errno.ELOOP
            kind = "a symlink loop" if loop else "a symlink that points nowhere"
        else:
            inside = os.path.commonpath([resolved, root]) == str(root)
            kind = f"a symlink {'within' if inside else 'out of'} the submissions folder"
    return f"{what} is {kind} (to {_quote(target)}): not followed"


def _kind_of_file(mode: int) -> str:
    kinds = {
        stat.S_ISDIR: "a directory",
        stat.S_ISREG: "a regular file",
        stat.S_ISFIFO: "a named pipe (FIFO)",
        stat.S_ISSOCK: "a socket",
        stat.S_ISCHR: "a character device",
        stat.S_ISBLK: "a block device",
    }
    return next((name for test, name in kinds.items() if test(mode)), "a special file")


# Checking


def _json_object(raw: bytes) -> dict:
    if not raw.strip():
        raise Rejected("the notebook file is empty")
    if not raw.strip(b"\0"):
        raise Rejected("the notebook file is empty: only NUL bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Rejected(
            f"the notebook is not valid UTF-8 text (byte {raw[error.start]:#04x} at {error.start})"
        ) from None
    try:
        data = json.loads(text)
    except RecursionError:
        raise Rejected(f"not a valid notebook (JSON nested {TOO_DEEP})") from None
    except ValueError as error:
        raise Rejected(f"not a valid notebook (not JSON: {error})") from None
    if not isinstance(data, dict):
        raise Rejected(f"not a valid notebook (the JSON is {_describe(data)}, not an object)")
    if _depth(data) > MAX_JSON_DEPTH:
        raise Rejected(f"not a valid notebook (JSON nested {TOO_DEEP})")
    return data


def _depth(data) -> int:
    """How deeply lists and objects nest in `data` (counted without recursion)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, depth)
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, depth + 1) for child in children)
    return deepest


def _nbformat_v4(data: dict) -> dict:
    """The notebook upgraded to nbformat 4 and validated by nbformat, as plain JSON data."""
    version, minor = data.get("nbformat"), data.get("nbformat_minor", 0)
    if version not in (3, 4) or isinstance(version, bool):
        raise Rejected(
            f"not a valid notebook (its nbformat version is {_describe(version)}, not 3 or 4)"
        )
    if not _is_int(minor) or minor < 0:
        raise Rejected(f"not a valid notebook (its nbformat_minor is {_describe(minor)})")
    if version == 4:
        _check_cell_shapes(data.get("cells"))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # missing or duplicated cell ids: nbformat fixes them
            notebook = nbformat.versions[version].to_notebook_json(data, minor=minor)
            nbformat.validate(notebook)  # before converting: the converter logs, not raises
            if version == 3:
                notebook = nbformat.convert(notebook, 4)
                nbformat.validate(notebook)
            text = nbformat.writes(notebook)
        return json.loads(text.encode("utf-8"))
    except UnicodeEncodeError:
        raise Rejected("not a valid notebook (text that is not valid Unicode)") from None
    except Exception as error:  # nbformat's readers raise many kinds on malformed input
        raise Rejected(f"not a valid notebook ({_nbformat_reason(error)})") from None


def _nbformat_reason(error: Exception) -> str:
    """nbformat's complaint in a few words: the key it missed, or its message's first line."""
    try:
        text = str(error.args[0]) if error.args else ""
    except Exception:  # the message of a deeply nested value can itself fail to print
        text = ""
    if isinstance(error, KeyError | AttributeError) and text.isidentifier():
        return f'no "{text}" in it'
    return text.strip().splitlines()[0] if text.strip() else type(error).__name__


def _check_cell_shapes(cells) -> None:
    if not isinstance(cells, list):
        raise Rejected(f"not a valid notebook (its cells are {_describe(cells)}, not a list)")
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict):
            raise Rejected(f"not a valid notebook (cell {number} is {_describe(cell)})")
        if not isinstance(cell.get("metadata"), dict):
            found = _describe(cell["metadata"]) if "metadata" in cell else "missing"
            raise Rejected(
                f"cell metadata is not what nbgrader writes: cell {number}'s metadata is {found}"
            )


def _is_bool(value) -> bool:
    return isinstance(value, bool)


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_points(value) -> bool:
    number = isinstance(value, int | float) and not isinstance(value, bool)
    return number and math.isfinite(value) and value >= 0


def _is_grade_id(value) -> bool:
    return isinstance(value, str) and re.fullmatch(r"[A-Za-z0-9_-]+", value) is not None


NBGRADER_KEYS = {  # key: (test, what nbgrader writes)
    "grade_id": (_is_grade_id, "a name of letters, digits, _ and -"),
    "points": (_is_points, "a number of 0 or more"),
    "schema_version": (_is_int, "an integer"),
    **{key: (_is_bool, "true or false") for key in ("grade", "solution", "locked", "task")},
}


def _check_nbgrader_metadata(cells: list) -> None:
    """Each cell's `metadata.nbgrader`, when present, as nbgrader writes it; grade_ids unique."""
    problems, seen = [], {}
    for number, cell in enumerate(cells, start=1):
        if "nbgrader" not in cell["metadata"]:
            continue
        meta = cell["metadata"]["nbgrader"]
        if not isinstance(meta, dict):
            problems.append(f"cell {number}'s nbgrader metadata is {_describe(meta)}")
            continue
        for key, (valid, wanted) in NBGRADER_KEYS.items():
            if key in meta and not valid(meta[key]):
                problems.append(f"cell {number}'s {key} is {_describe(meta[key])}, not {wanted}")
        if _is_grade_id(meta.get("grade_id")):
            seen.setdefault(meta["grade_id"], []).append(number)
    for grade_id, numbers in seen.items():
        if len(numbers) > 1:
            problems.append(f"grade_id {_quote(grade_id)} is in cells {_numbers(numbers)}")
    if problems:
        raise Rejected(f"cell metadata is not what nbgrader writes: {_summary(problems)}")


def _check_lesson_cells(cells: list, lesson: str) -> None:
    """The lesson's solution cells are all there, as code cells."""
    found = {}
    for number, cell in enumerate(cells, start=1):
        grade_id = (cell["metadata"].get("nbgrader") or {}).get("grade_id")
        found.setdefault(grade_id, (number, cell["cell_type"]))
    wanted = solution_ids(lesson)
    if not any(grade_id in found for grade_id in wanted):
        raise Rejected(f"the notebook is not lesson {lesson} (none of its exercise cells)")
    problems = [f"{grade_id} is missing" for grade_id in wanted if grade_id not in found]
    problems += [
        f"cell {found[grade_id][0]} ({grade_id}) is a {found[grade_id][1]} cell, not code"
        for grade_id in wanted
        if grade_id in found and found[grade_id][1] != "code"
    ]
    if problems:
        raise Rejected(f"the exercise cells are not as handed out: {_summary(problems)}")


@cache
def solution_ids(lesson: str) -> tuple[str, ...]:
    """The grade_ids of the lesson's solution cells, in the master notebook's order."""
    master = json.loads((SOLUTIONS / f"{lesson}.ipynb").read_text())
    return tuple(
        cell["metadata"]["nbgrader"]["grade_id"]
        for cell in master["cells"]
        if cell["metadata"].get("nbgrader", {}).get("solution")
    )


# Words


def _plain(text: str, limit: int) -> str:
    """`text` on one line of printable characters, at most `limit` long."""
    shown = "".join(c if c.isprintable() else " " for c in text[:limit])
    return shown if len(text) <= limit else shown[: limit - 1] + "…"


def _quote(text: str) -> str:
    return f'"{_plain(text, QUOTE_CHARS)}"'


def _describe(value) -> str:
    """A JSON value in words: null, true, a list, the number 3, the text "..."."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, int | float):
        return f"the number {_plain(repr(value), QUOTE_CHARS)}"
    if isinstance(value, str):
        return f"the text {_quote(value)}" if value else "an empty string"
    return "a list" if isinstance(value, list) else "an object"


def _names(names: list[str]) -> str:
    shown = ", ".join(_quote(name) for name in names[:LISTED])
    more = len(names) - LISTED
    return shown + (f" and {more} more" if more > 0 else "")


def _numbers(numbers: list[int]) -> str:
    return ", ".join(map(str, numbers[:-1])) + f" and {numbers[-1]}"


def _summary(problems: list[str]) -> str:
    shown = "; ".join(problems[:LISTED])
    more = len(problems) - LISTED
    return shown + (f" (and {more} more)" if more > 0 else "")
