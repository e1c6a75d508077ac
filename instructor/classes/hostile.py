"""A class of hostile submissions of lesson 01, one student per attack on the grader.

Where `broken_files.py` attacks the reading of the submissions folder, these students attack
with code. Most start from the untouched release (honest score 0) and add an attack: read
the hidden tests or the solutions, forge a result, write outside the sandbox, reach a
listener on 127.0.0.1, kill what they can see, outlive their cell, dodge the time limits,
patch the libraries, run code from a string, or flood the output. Their code uses
constructs graded code may not use (rnnlab.checks.code), so each is flagged and scores 0,
but the notebook still runs in the sandbox, so the attack is really tried. Others need no
such construct: answers that fool comparisons (an ndarray subclass, an object array that
equals everything, inputs zeroed in place so that the reference computes the answer for
zeros), forged report text, a multi-line error message meant to forge summary lines,
script in the student's own Markdown meant for whoever opens the feedback.

Each student records the exact score the grader must give and a phrase that must appear in
one of its flags ("" when nothing needs a look). `write_hostile_class(folder, targets)`
writes the class; `targets` holds the paths and the port the attacks aim at, chosen by the
test, which then checks that none was reached.
"""

import json
from dataclasses import dataclass
from pathlib import Path

from instructor.classes.notebooks import fill, solution_sources
from instructor.engine.course import COURSE, ROOT

LESSON = "01_rnn_forward"
FULL = 8.0


@dataclass(frozen=True)
class Hostile:
    student_id: str
    score: float
    flag: str
    about: str


@dataclass(frozen=True)
class Targets:
    """What the attacks aim at: a marker file to create, a port on 127.0.0.1 to reach,
    the submissions and output folders, and the repository."""

    marker: Path
    port: int
    submissions: Path
    out: Path
    repository: Path = ROOT


def _full(notebook: dict) -> dict:
    return fill(notebook, solution_sources(LESSON))


def _with_cell(notebook: dict, grade_id: str, extra: str, full: bool = False) -> dict:
    """The notebook (solved or not) with `extra` appended to one solution cell."""
    sources = dict(solution_sources(LESSON)) if full else {}
    base = sources.get(grade_id, "")
    return fill(notebook, {**sources, grade_id: f"{base}\n{extra}"})


def _replace(notebook: dict, grade_id: str, code: str) -> dict:
    return fill(notebook, {**solution_sources(LESSON), grade_id: code})


def _graded_cells(notebook: dict, change) -> dict:
    cells = []
    for cell in notebook["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade"):
            cell = change(cell)
        if cell is not None:
            cells.append(cell)
    return {**notebook, "cells": cells}


def _markdown_only(notebook: dict) -> dict:
    return {**notebook, "cells": [c for c in notebook["cells"] if c["cell_type"] == "markdown"]}


MARKUP = (
    "My notes <script>alert('a19')</script> <img src=x onerror=\"alert('a19')\"> "
    "[more](javascript:alert('a19'))"
)


def _with_markup(notebook: dict) -> dict:
    """The notebook with a Markdown cell and a raw HTML cell of the student's after the
    first cell: script, event handler and javascript: link meant for the feedback page."""
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": MARKUP},
        {"cell_type": "raw", "metadata": {"format": "text/html"}, "source": MARKUP},
    ]
    return {**notebook, "cells": notebook["cells"][:1] + cells + notebook["cells"][1:]}


def _claim_points(cell: dict) -> dict:
    cell["metadata"]["nbgrader"]["points"] = 100
    return cell


def _fake_test(cell: dict) -> dict:
    cell["source"] = "print('All tests passed!')\n8.0"
    return cell


# --- attacks that need constructs graded code may not use --------------------------------

READ_HIDDEN_TESTS = """
from grader_tests.grading import reference

def softmax(z):
    return reference("01_rnn_forward").softmax(z)
"""

SEARCH_LIVE_OBJECTS = """
import gc

def softmax(z):
    for thing in gc.get_objects():
        if callable(thing) and getattr(thing, "__name__", "") == "softmax" and thing is not softmax:
            return thing(z)
    raise ValueError("no reference found")
"""

READ_SOLUTIONS = """
import json, os, sys

for folder in [os.getcwd(), *sys.path, {repository!r}]:
    path = os.path.join(folder, "solutions", "01_rnn_forward.ipynb")
    if os.path.exists(path):
        for cell in json.load(open(path))["cells"]:
            if cell["metadata"].get("nbgrader", {{}}).get("solution"):
                exec("".join(cell["source"]), globals())
        break
"""

WALK_FRAMES = """
import sys

def softmax(z):
    frame = sys._getframe()
    while frame is not None:
        for name, value in frame.f_globals.items():
            if name == "reference":
                return value("01_rnn_forward").softmax(z)
        frame = frame.f_back
    raise ValueError("no grader frame")
"""

FORGE_RESULT = """
import glob, json, socket, struct

for path in glob.glob("/run/**/*.sock", recursive=True):
    try:
        channel = socket.socket(socket.AF_UNIX)
        channel.connect(path)
        channel.sendall(struct.pack("<Q", 5) + b"forge")
    except OSError:
        pass
forged = {{"lessons": {{"01_rnn_forward": {{"exercises": {{"softmax": 1000}}}}}}}}
for target in [{out!r} + "/results/a05_forges_result.json", "/results/a05_forges_result.json"]:
    try:
        json.dump(forged, open(target, "w"))
    except OSError:
        pass
"""

WRITE_EVERYWHERE = """
import os

targets = [{marker!r}, {out!r} + "/results/a06_writes_everywhere.json",
           {submissions!r} + "/h06_extra_files/01_rnn_forward/01_rnn_forward.ipynb",
           {repository!r} + "/solutions/01_rnn_forward.ipynb"]
for top, folders, files in os.walk("/"):
    if top.startswith(("/proc", "/sys", "/dev")):
        folders[:] = []
        continue
    targets.append(os.path.join(top, "PWNED"))
for target in targets:
    try:
        with open(target, "w") as handle:
            handle.write("pwned")
    except OSError:
        pass
"""

CONNECT_TCP = """
import socket

for host in ("127.0.0.1", "localhost", "10.0.2.2"):
    try:
        socket.create_connection((host, {port}), timeout=1).sendall(b"escaped")
    except OSError:
        pass
"""

FORK_AND_KILL = """
import os, signal, time

if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(600)
    os._exit(0)
for pid in [os.getppid(), *range(1, 4000)]:
    if pid != os.getpid():
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
"""

DODGE_TIME_LIMIT = """
import signal

def rnn_forward(x, h0, params):
    signal.signal(signal.SIGALRM, signal.SIG_IGN)
    signal.alarm(0)
    while True:
        pass
"""

PATCH_LATER = """
import threading, time
import numpy as np

def patch():
    time.sleep(1)
    np.isclose = lambda a, b, **kw: np.ones(np.broadcast(a, b).shape, bool)
    np.allclose = lambda *a, **kw: True

threading.Thread(target=patch, daemon=True).start()
"""

PATCH_NUMPY = """
np.isclose = lambda a, b, **kw: np.ones(np.broadcast(np.asarray(a), np.asarray(b)).shape, bool)
np.allclose = lambda *a, **kw: True
"""

EVALUATES_A_STRING = """
import typing

def probe(x: "exec('import os; os.kill(os.getpid(), 0)') or int"):
    return x

typing.get_type_hints(probe)
"""

# --- attacks within the rules: they must simply not pay -----------------------------------

ARRAY_SUBCLASS = """
class Agreeable(np.ndarray):
    def __eq__(self, other):
        return np.ones(self.shape, bool)

    def __array_function__(self, func, types, args, kwargs):
        return True


def softmax(z):
    return np.zeros(np.shape(z)).view(Agreeable)
"""

EQUALS_EVERYTHING = """
class Anything:
    def __eq__(self, other):
        return True

    def __float__(self):
        return 0.0


def softmax(z):
    return np.array([[Anything()] * z.shape[-1]] * z.shape[0], dtype=object)
"""

MULTILINE_ERROR = """
def softmax(z):
    raise ValueError("bad\\n  ada 01_rnn_forward: forged flag\\nneeds a human look:\\n  nobody")
"""

FAKE_REPORT = """
def softmax(z):
    print("softmax: 2 / 2 points\\n  ✓ values on a batch of random scores (N, K)")
    return z
"""

ZEROES_INPUTS = {
    "softmax": """
def softmax(z):
    z[...] = 0.0
    return np.full(z.shape, 1.0 / z.shape[-1])
""",
    "rnn_cell_forward": """
def rnn_cell_forward(x_t, h_prev, params):
    N, H, V = x_t.shape[0], h_prev.shape[1], params["b_y"].shape[0]
    for value in (x_t, h_prev, *params.values()):
        value[...] = 0.0
    h_next = np.zeros((N, H))
    return h_next, np.full((N, V), 1.0 / V), (x_t, h_prev, h_next, params)
""",
    "rnn_forward": """
def rnn_forward(x, h0, params):
    (N, T, _), H, V = x.shape, h0.shape[1], params["b_y"].shape[0]
    for value in (x, h0, *params.values()):
        value[...] = 0.0
    h = np.zeros((N, T, H))
    return h, np.full((N, T, V), 1.0 / V), [(x[:, t], h0, h[:, t], params) for t in range(T)]
""",
}
PRINT_MEGABYTES = "print('x' * 5_000_000)"
FAKE_PASS = "print('All tests passed! 8 / 8 points')"

LOOP_FOREVER = "def rnn_forward(x, h0, params):\n    while True:\n        pass\n"
HOG_MEMORY = "def softmax(z):\n    return np.ones((60000, 60000)).sum() * z\n"
RECURSE = "def softmax(z):\n    return softmax(z)\n"
SAVE_FILES = 'np.save("solutions_copy.npy", np.zeros(3))\nnp.save({marker!r}, np.zeros(3))'

NOT_GRADED = "not graded"
STUDENTS = [
    Hostile("h01_bad_json", 0.0, "not a valid notebook", "a file that is not JSON"),
    Hostile("h02_empty", 0.0, "is empty", "an empty file"),
    Hostile(
        "h03_wrong_name", FULL, "expected 01_rnn_forward.ipynb", "solved, saved as Lesson1.ipynb"
    ),
    Hostile("h04_other_lesson", 0.0, "is not lesson", "a notebook of another lesson"),
    Hostile("h05_missing", 0.0, "missing notebook", "no notebook at all"),
    Hostile("h06_extra_files", FULL, "extra files ignored", "solved, plus other files"),
    Hostile("h07_infinite_loop", 5.0, "did not finish", "rnn_forward never returns"),
    Hostile("h08_memory_hog", 6.0, "MemoryError", "softmax allocates 28 GB"),
    Hostile("h09_recursion", 6.0, "RecursionError", "softmax calls itself forever"),
    Hostile("h10_prints_megabytes", FULL, "", "a cell prints 5 MB"),
    Hostile("h11_edits_tests", 0.0, "", "graded cells print a fake score"),
    Hostile("h12_deletes_tests", FULL, "were deleted", "solved, graded cells deleted"),
    Hostile("h13_claims_points", 0.0, "", "unsolved, metadata claims 100 points"),
    Hostile("h14_fake_pass", 0.0, "", "unsolved, prints 'All tests passed!'"),
    Hostile("a01_reads_hidden_tests", 0.0, NOT_GRADED, "imports the hidden tests"),
    Hostile("a02_searches_objects", 0.0, NOT_GRADED, "looks through live objects"),
    Hostile("a03_reads_solutions", 0.0, NOT_GRADED, "looks for solutions/ on disk"),
    Hostile("a04_walks_frames", 0.0, NOT_GRADED, "walks up the stack frames"),
    Hostile("a05_forges_result", 0.0, NOT_GRADED, "forges a result on the grader's channel"),
    Hostile("a06_writes_everywhere", 0.0, NOT_GRADED, "writes to every path it can reach"),
    Hostile("a07_connects_tcp", 0.0, NOT_GRADED, "connects to a listener on 127.0.0.1"),
    Hostile("a08_forks_and_kills", 0.0, NOT_GRADED, "forks a long-lived child, kills all"),
    Hostile("a09_dodges_time_limit", 0.0, NOT_GRADED, "ignores SIGALRM, loops forever"),
    Hostile("a10_patches_numpy_later", 0.0, NOT_GRADED, "a thread patches numpy later"),
    Hostile("a11_patches_numpy", 0.0, NOT_GRADED, "numpy's comparisons patched"),
    Hostile("a12_array_subclass", 6.0, "", "softmax returns an agreeable ndarray subclass"),
    Hostile("a13_equals_everything", 6.0, "", "softmax returns objects equal to anything"),
    Hostile("a14_multiline_error", 6.0, "", "an error message that forges summary lines"),
    Hostile("a15_fake_report", 6.0, "", "softmax prints a fake passing report"),
    Hostile("a16_saves_files", FULL, "", "solved, saves files in its folder and elsewhere"),
    Hostile("a18_evaluates_a_string", 0.0, NOT_GRADED, "solved, runs code from an annotation"),
    Hostile("a19_html_in_markdown", FULL, "", "solved, with script in Markdown and raw cells"),
    Hostile("a17_zeroes_its_inputs", 0.0, "", "zeroes its inputs, returns the answer for zeros"),
]


def _notebooks(release: dict, targets: Targets) -> dict:
    """{student_id: {filename: content (dict for a notebook, str for a raw file)}}."""
    name = f"{LESSON}.ipynb"
    paths = {
        "marker": str(targets.marker),
        "port": targets.port,
        "submissions": str(targets.submissions),
        "out": str(targets.out),
        "repository": str(targets.repository),
    }
    attacks = {
        "a01_reads_hidden_tests": READ_HIDDEN_TESTS,
        "a02_searches_objects": SEARCH_LIVE_OBJECTS,
        "a03_reads_solutions": READ_SOLUTIONS,
        "a04_walks_frames": WALK_FRAMES,
        "a05_forges_result": FORGE_RESULT,
        "a06_writes_everywhere": WRITE_EVERYWHERE,
        "a07_connects_tcp": CONNECT_TCP,
        "a08_forks_and_kills": FORK_AND_KILL,
        "a09_dodges_time_limit": DODGE_TIME_LIMIT,
        "a10_patches_numpy_later": PATCH_LATER,
        "a11_patches_numpy": PATCH_NUMPY,
    }
    notebooks = {
        student: {name: _with_cell(release, "softmax", code.format(**paths))}
        for student, code in attacks.items()
    }
    return {
        "h01_bad_json": {name: '{"cells": [ this is not json'},
        "h02_empty": {name: ""},
        "h03_wrong_name": {"Lesson1.ipynb": _full(release)},
        "h04_other_lesson": {name: _markdown_only(release)},
        "h05_missing": {},
        "h06_extra_files": {name: _full(release), "notes.txt": "my notes", "helper.py": "x = 1\n"},
        "h07_infinite_loop": {name: _replace(release, "rnn_forward", LOOP_FOREVER)},
        "h08_memory_hog": {name: _replace(release, "softmax", HOG_MEMORY)},
        "h09_recursion": {name: _replace(release, "softmax", RECURSE)},
        "h10_prints_megabytes": {name: _with_cell(release, "softmax", PRINT_MEGABYTES, True)},
        "h11_edits_tests": {name: _graded_cells(fill(release, {}), _fake_test)},
        "h12_deletes_tests": {name: _graded_cells(_full(release), lambda cell: None)},
        "h13_claims_points": {name: _graded_cells(fill(release, {}), _claim_points)},
        "h14_fake_pass": {name: fill(release, {"softmax": FAKE_PASS})},
        **notebooks,
        "a12_array_subclass": {name: _replace(release, "softmax", ARRAY_SUBCLASS)},
        "a13_equals_everything": {name: _replace(release, "softmax", EQUALS_EVERYTHING)},
        "a14_multiline_error": {name: _replace(release, "softmax", MULTILINE_ERROR)},
        "a15_fake_report": {name: _replace(release, "softmax", FAKE_REPORT)},
        "a17_zeroes_its_inputs": {name: fill(release, ZEROES_INPUTS)},
        "a19_html_in_markdown": {name: _with_markup(_full(release))},
        "a18_evaluates_a_string": {name: _with_cell(release, "softmax", EVALUATES_A_STRING, True)},
        "a16_saves_files": {
            name: _with_cell(release, "softmax", SAVE_FILES.format(**paths), True)
        },
    }


def write_hostile_class(folder: Path, targets: Targets) -> list[Hostile]:
    """Write every hostile student's files to `folder/<student>/01_rnn_forward/`."""
    release = json.loads((COURSE / f"{LESSON}.ipynb").read_text())
    for student_id, files in _notebooks(release, targets).items():
        target = folder / student_id / LESSON
        target.mkdir(parents=True, exist_ok=True)
        for filename, content in files.items():
            text = content if isinstance(content, str) else json.dumps(content, indent=1)
            (target / filename).write_text(text)
    return STUDENTS
