"""Fuzzing the reading and checking of submissions with hypothesis.

A student is the full-marks notebook of lesson 01 changed by a few mutations (keys dropped
or retyped, values made null, lists or huge strings, cells duplicated, moved or retyped,
nbformat versions mixed, bytes cut or spliced) and placed in a folder layout that may be
hostile at the student, lesson or notebook level (a symlink in or out of the submissions
folder, dangling or looping, a FIFO, a socket, a file for a folder, mode 000, empty).

- The fast layer runs `collect` on many such students: it never raises, never blocks, never
  reads through a symlink (a full-marks bait waits outside), never changes the folder; its
  flags are short single lines; a rejected notebook is None, an accepted one is valid.
- The end-to-end layer grades a handful of them in ONE class run beside two good students.

Profiles: "ci" (the default: derandomized, so every run tests the same examples) and
"explore" (`RNNLAB_FUZZ=explore`: random and many more examples) to hunt for new failures.
What exploring found is kept below as explicit `@example`s.
"""

import copy
import hashlib
import json
import os
import tempfile
import warnings
from pathlib import Path

import nbformat
from hypothesis import HealthCheck, Phase, event, example, given, settings
from hypothesis import strategies as st

from grader_tests.catalog import answers
from instructor.classes.broken_files import (
    FULL,
    GOOD,
    LESSON,
    NOTEBOOK,
    full_marks_notebook,
    make_fifo,
    make_socket,
    nested,
    notebook_bytes,
    write_bytes,
)
from instructor.classes.folder_state import folder_state
from instructor.engine.collect import FLAG_CHARS, collect, solution_ids
from instructor.engine.report import lesson_score
from instructor.engine.run import grade_class

settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "explore",
    database=None,
    max_examples=3000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
PROFILE = settings.get_profile(os.environ.get("RNNLAB_FUZZ", "ci"))

BASE = full_marks_notebook()
BAIT = notebook_bytes({**BASE, "metadata": {**BASE["metadata"], "bait": True}})
CELLS = range(len(BASE["cells"]))
NBGRADER_KEYS = ["grade_id", "grade", "solution", "locked", "task", "points", "schema_version"]
ANSWERS = [answer.code for answer in answers(LESSON)]


# Mutations of the notebook: tuples, so that a found case reads well as an @example.

HUGE = st.builds(
    lambda text, n: text * n,
    st.sampled_from(["x", "\n", "\x1b[2J", "\0", "é"]),
    st.integers(1, 300_000),
)
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=20),
    st.just("\ud800"),
    HUGE,
    st.integers(1, 1200).map(nested),
    st.lists(st.none() | st.integers() | st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.none() | st.booleans(), max_size=3),
)
CELL_PATHS = st.tuples(
    st.just("cells"),
    st.sampled_from(CELLS),
    st.sampled_from(["metadata", "cell_type", "source", "id", "outputs", "execution_count"]),
)
NBGRADER_PATHS = st.builds(
    lambda i, key: ("cells", i, "metadata", "nbgrader", *([key] if key else [])),
    st.sampled_from(CELLS),
    st.sampled_from([None, *NBGRADER_KEYS]),
)
TOP_PATHS = st.sampled_from([("nbformat",), ("nbformat_minor",), ("metadata",), ("cells",)])
PATHS = st.one_of(NBGRADER_PATHS, CELL_PATHS, TOP_PATHS)
SOURCES = st.tuples(  # another answer (right or wrong) in a solution cell
    st.just("source"), st.sampled_from(solution_ids(LESSON)), st.sampled_from(ANSWERS)
)
MOVES = st.tuples(st.just("move"), st.sampled_from(CELLS), st.sampled_from(CELLS))
OPS = st.one_of(
    st.tuples(st.just("set"), PATHS, VALUES),
    st.tuples(st.just("drop"), PATHS),
    SOURCES,
    MOVES,
    st.tuples(st.just("cell_type"), st.sampled_from(CELLS), st.sampled_from(["markdown", "raw"])),
    st.tuples(st.just("duplicate"), st.sampled_from(CELLS)),
    st.tuples(st.just("nbformat_3"), st.just(0)),
    st.tuples(st.just("cut"), st.floats(0, 1)),
    st.tuples(st.just("splice"), st.floats(0, 1), st.binary(min_size=1, max_size=8)),
)
MUTATIONS = st.lists(OPS, max_size=3)
LIKELY_VALID_OPS = st.one_of(  # what a student may really do
    SOURCES,
    MOVES,
    st.tuples(
        st.just("set"),
        st.builds(lambda i: ("cells", i, "metadata", "nbgrader", "points"), st.sampled_from(CELLS)),
        st.floats(0, 100),
    ),
    st.tuples(st.just("drop"), st.builds(lambda i: ("cells", i, "id"), st.sampled_from(CELLS))),
)


def mutate(ops: list) -> bytes:
    """The full-marks notebook's file bytes after `ops` (an op that no longer applies is
    skipped: its path is gone)."""
    notebook = copy.deepcopy(BASE)
    for op in ops:
        if op[0] in JSON_OPS:
            notebook = JSON_OPS[op[0]](notebook, *op[1:])
    data = json.dumps(notebook, indent=1).encode()
    for op in ops:
        if op[0] in BYTE_OPS:
            data = BYTE_OPS[op[0]](data, *op[1:])
    return data


def _has(node, key) -> bool:
    if isinstance(node, dict):
        return key in node
    return isinstance(node, list) and isinstance(key, int) and key < len(node)


def _parent(notebook, path: tuple):
    """The container that holds (or, for a dict, may hold) the last key of `path`, or None."""
    node = notebook
    for key in path[:-1]:
        if not _has(node, key):
            return None
        node = node[key]
    return node if isinstance(node, dict) or _has(node, path[-1]) else None


def _set(notebook, path, value):
    parent = _parent(notebook, path)
    if parent is not None:
        parent[path[-1]] = value
    return notebook


def _drop(notebook, path):
    parent = _parent(notebook, path)
    if _has(parent, path[-1]):
        del parent[path[-1]]
    return notebook


def _cells(notebook) -> list:
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    return cells if isinstance(cells, list) else []


def _source(notebook, grade_id, code):
    for cell in _cells(notebook):
        meta = _parent(cell, ("metadata", "nbgrader", "grade_id"))
        if meta is not None and meta.get("grade_id") == grade_id:
            cell["source"] = code
    return notebook


def _cell_type(notebook, index, kind):
    cells = _cells(notebook)
    if index < len(cells) and isinstance(cells[index], dict):
        cells[index]["cell_type"] = kind
    return notebook


def _duplicate(notebook, index):
    cells = _cells(notebook)
    if index < len(cells):
        cells.insert(index, copy.deepcopy(cells[index]))
    return notebook


def _move(notebook, index, to):
    cells = _cells(notebook)
    if index < len(cells):
        cells.insert(to, cells.pop(index))
    return notebook


def _nbformat_3(notebook, _unused):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # cell ids that earlier ops broke
            return json.loads(nbformat.writes(nbformat.convert(nbformat.from_dict(notebook), 3)))
    except Exception:  # nbformat cannot convert what earlier ops broke: keep it as it is
        return notebook


JSON_OPS = {
    "set": _set,
    "drop": _drop,
    "source": _source,
    "cell_type": _cell_type,
    "duplicate": _duplicate,
    "move": _move,
    "nbformat_3": _nbformat_3,
}
BYTE_OPS = {
    "cut": lambda data, at: data[: int(at * len(data))],
    "splice": lambda data, at, chunk: (
        data[: int(at * len(data))] + chunk + data[int(at * len(data)) :]
    ),
}


# Folder layouts: (level, kind, extra files in the lesson folder, the notebook's name).

LEVELS = ("student", "lesson", "notebook")
FOLLOWING = {"symlink_in", "symlink_out", "dangling", "loop"}  # a symlink on the way
KINDS = ["plain", "file", "dir", "empty", "mode000", "fifo", "socket", *sorted(FOLLOWING)]
EXTRAS = ["notes.txt", "timestamp.txt", "Other.ipynb", ".ipynb_checkpoints", "we\nird.ipynb"]
ODD_LAYOUTS = st.tuples(
    st.sampled_from(LEVELS),
    st.sampled_from(KINDS),
    st.lists(st.sampled_from(EXTRAS), unique=True, max_size=2),
    st.sampled_from([NOTEBOOK, "Lesson1.ipynb"]),
)
PLAIN = ("notebook", "plain", [], NOTEBOOK)
LAYOUTS = st.one_of(st.just(PLAIN), ODD_LAYOUTS)  # half plain: the notebook's mutations are read
# The end-to-end class: most students gradable, so that grading itself meets the mutations.
CLASS_MUTATIONS = st.lists(st.one_of(LIKELY_VALID_OPS, LIKELY_VALID_OPS, OPS), max_size=3)
CLASS_LAYOUTS = st.one_of(st.just(PLAIN), LAYOUTS)


def build(root: Path, student: str, data: bytes, layout: tuple, bait: Path) -> None:
    """Write one student's submission into `root` in the given layout."""
    level, kind, extras, name = layout
    parts = (student, LESSON, name)[: LEVELS.index(level) + 1]
    below = (LESSON, name)[LEVELS.index(level) :]  # what the entry at `path` holds
    path = root.joinpath(*parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    folder = level != "notebook"
    if kind in FOLLOWING:
        path.symlink_to(_link_target(root, parts, below, data, extras, kind, bait))
    elif kind == "fifo":
        make_fifo(path)
    elif kind == "socket":
        make_socket(path)
    elif (kind == "dir" and not folder) or (kind == "empty" and folder):
        path.mkdir()
    elif kind in ("file", "empty"):  # a file where a folder (or the notebook) should be
        path.write_bytes(b"" if kind == "empty" else data)
    else:  # plain, mode000, and a folder where a folder should be
        _real(path, below, data, extras)
        if kind == "mode000":
            path.chmod(0)


def _real(path: Path, below: tuple, data: bytes, extras: list) -> None:
    """The real folders and notebook at `path`, extra files beside the notebook."""
    notebook = path.joinpath(*below)
    write_bytes(notebook, data)
    for extra in extras:
        write_bytes(notebook.parent / extra, b"extra")


def _link_target(root, parts, below, data, extras, kind, bait: Path) -> str:
    if kind == "dangling":
        return "missing"
    if kind == "loop":
        return parts[-1]
    if kind == "symlink_out":
        target = bait.joinpath(*parts)
        _real(target, below, BAIT, [])
        return str(target)
    target = root.joinpath(".store", *parts)  # symlink_in: a hidden copy inside the folder
    _real(target, below, data, extras)
    return os.path.relpath(target, root.joinpath(*parts).parent)


# The fast layer


def check_submission(submission, layout: tuple) -> None:
    """What must hold for any submission, whatever was in the folder."""
    for problem in submission.problems:
        assert isinstance(problem, str) and problem.isprintable(), problem
        assert 0 < len(problem) <= FLAG_CHARS, problem
    assert submission.raw != BAIT, "read the bait outside the submissions folder"
    if layout[1] in FOLLOWING:
        assert submission.raw is None, "read through a symlink"
    if submission.raw is None:
        assert submission.digest == "" and submission.notebook is None and submission.problems
    else:
        assert submission.digest == hashlib.sha256(submission.raw).hexdigest()
    if submission.notebook is None:
        assert submission.problems
    else:
        nbformat.validate(nbformat.from_dict(submission.notebook))
        assert json.loads(json.dumps(submission.notebook)) == submission.notebook


@PROFILE
@given(ops=MUTATIONS, layout=LAYOUTS)
@example(ops=[], layout=PLAIN)
# Found by exploring: nbformat's error for a value nested 400 deep could not be printed, and
# the RecursionError escaped collect (a crash of the whole run). Now refused for its depth.
@example(ops=[("set", ("cells", 1, "execution_count"), nested(400))], layout=PLAIN)
def test_collect_is_safe_on_any_mutation_and_layout(ops, layout, deadline):
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as scratch:
        root, bait = Path(scratch, "submissions"), Path(scratch, "outside")
        root.mkdir()
        build(root, "s", mutate(ops), layout, bait)
        before = folder_state(root)
        with deadline(10):
            submission = collect(root, "s", LESSON)
        assert folder_state(root) == before
    check_submission(submission, layout)
    event("accepted" if submission.notebook else "rejected: " + submission.problems[-1][:24])


# The end-to-end layer


def drawn_students(count: int) -> list[tuple]:
    """`count` (ops, layout) pairs: the same on every run under the "ci" profile."""
    drawn = []

    @settings(PROFILE, max_examples=count, phases=[Phase.generate])
    @given(ops=CLASS_MUTATIONS, layout=CLASS_LAYOUTS)
    def draw(ops, layout):
        drawn.append((ops, layout))

    draw()
    return drawn


def test_a_class_of_mutants_grades_in_one_run_beside_good_students(tmp_path):
    root, bait = tmp_path / "submissions", tmp_path / "outside"
    mutants = {f"m{i:02d}": drawn for i, drawn in enumerate(drawn_students(10))}
    for student, (ops, layout) in mutants.items():
        build(root, student, mutate(ops), layout, bait)
    for case in GOOD:
        case.write(root / case.student_id, BASE)
    accepted = {s for s in mutants if collect(root, s, LESSON).notebook is not None}
    assert 0 < len(accepted) < len(mutants), "the draw should hold both kinds"
    before = folder_state(root)
    records = grade_class(root, tmp_path / "out", [LESSON], jobs=2)
    assert folder_state(root) == before
    for case in GOOD:
        assert lesson_score(records[case.student_id], LESSON) == case.score
        assert records[case.student_id]["lessons"][LESSON]["flags"] == []
    for student, (_ops, layout) in mutants.items():
        if student not in records:  # a file, FIFO or socket where the student folder should be
            assert layout[0] == "student" and layout[1] in ("file", "fifo", "socket"), student
            continue
        score = lesson_score(records[student], LESSON)
        flags = records[student]["lessons"][LESSON]["flags"]
        if student in accepted:
            assert 0 <= score <= FULL, student
        else:
            assert score == 0 and flags, student
        if layout[1] in FOLLOWING:
            assert score == 0, student
