"""What the grader reads in the submitted source: the constructs graded code may not use,
and the course-library objects an exercise's function reaches. Every solution and every
catalogued answer keeps to the rules, so the rules never cost an honest student points."""

import json

import pytest

import rnnlab.layers
import rnnlab.lstm_cells
from grader_tests.catalog import answers
from grader_tests.grading import master
from instructor.engine.course import SOLUTIONS, lessons
from rnnlab.checks.code import StudentCode

CATALOG = [(lesson, answer) for lesson in lessons() for answer in answers(lesson)]
BANNED = (rnnlab.lstm_cells.lstm1_step_stacked, rnnlab.layers.LSTM)


def _code(*cells: str) -> StudentCode:
    """A notebook whose cells are all the student's own."""
    notebook = {"cells": [{"cell_type": "code", "metadata": {}, "source": c} for c in cells]}
    return StudentCode.from_notebook(notebook, {"cells": []})


@pytest.mark.parametrize(
    "source, problem",
    [
        ("import os", "imports os"),
        ("import numpy, sys", "imports sys"),
        ("from grader_tests.grading import reference", "imports from grader_tests.grading"),
        ("from . import solutions", "imports from a relative module"),
        ("import importlib", "imports importlib"),
        ("x = eval('1 + 1')", "uses eval"),
        ("exec('x = 1')", "uses exec"),
        ("f = getattr(object, 'mro')", "uses getattr"),
        ("data = open('/etc/passwd').read()", "uses open"),
        ("g = globals()", "uses globals"),
        ("ip = get_ipython()", "uses get_ipython"),
        ("%timeit 1 + 1", "uses get_ipython"),
        ("!ls /", "uses get_ipython"),
        ("serve('softmax')", "uses serve"),
        ("def f():\n    return f.__globals__", "uses the attribute .__globals__"),
        ("k = (1).__class__", "uses the attribute .__class__"),
        ("def f(error):\n    return error.__traceback__.tb_frame", "uses the attribute"),
        ("def f(gen):\n    return gen.gi_frame.f_back", "uses the attribute .f_back"),
        ("import numpy as np\nnp.isclose = lambda *a, **k: True", "changes numpy.isclose"),
        ("import numpy as np\nm = np\nm.allclose = None", "changes numpy.allclose"),
        ("import numpy as np\ndel np.exp", "changes numpy.exp"),
        ("import matplotlib\nm = matplotlib.sys", "uses the attribute .sys"),
        ("import numpy as np\nx = [np][0].os", "uses the attribute .os"),
        ("import numpy as np\nw = np.load('w.npy', allow_pickle=True)", "allow_pickle"),
        ("b = __builtins__", "uses __builtins__"),
        ("import timeit\nx = 1", "imports timeit"),
        ("import numpy.testing", "imports numpy.testing"),
        ("import numpy as np\nb = np.testing.assert_equal", "reaches the module numpy.testing"),
        ("from numpy.f2py import compile", "imports from numpy.f2py"),
        ("import numpy as np\nc = np.ctypeslib", "reaches the module numpy.ctypeslib"),
        ("import numpy as np\nc = np._core", "reaches the module numpy._core"),
        ("import typing", "imports typing"),
    ],
)
def test_each_forbidden_construct_is_named_with_its_cell_and_line(source, problem):
    problems = _code("x = 1", source).problems()
    assert problems and problem in problems[0], problems
    assert problems[0].startswith("cell 2, line ")


@pytest.mark.parametrize(
    "source",
    [
        "import numpy as np\nfrom numpy.random import default_rng\nimport math, functools",
        "import matplotlib.pyplot as plt\nplt.plot([1, 2])",
        "from rnnlab import softmax, check_shapes\nfrom rnnlab.layers import Softmax",
        "class Layer:\n    def __init__(self):\n        self.cache = None\n        self.__doc__",
        "def f(x):\n    assert all(a.ndim == 2 for a in (x, x))\n    return x.T @ x",
        "import numpy as np\nw = np.load('w.npy', allow_pickle=False)",
        "def f(z):\n    try:\n        return z.max()\n    except ValueError:\n        raise",
    ],
)
def test_ordinary_numpy_code_passes(source):
    assert _code(source).problems() == []


def test_a_module_the_instructor_imported_is_still_off_limits_to_the_student():
    setup = {"grade_id": "setup", "locked": True, "solution": False, "grade": False}
    setup_cell = {"cell_type": "code", "metadata": {"nbgrader": setup}, "source": "import timeit"}
    master_nb = {"cells": [setup_cell]}
    student = {"cells": [setup_cell, {"cell_type": "code", "metadata": {}, "source": "t = timeit"}]}
    problems = StudentCode.from_notebook(student, master_nb).problems()
    assert problems == ["cell 2, line 1: uses the module timeit, which graded code may not use"]


def test_locked_cells_restored_by_nbgrader_are_not_the_students():
    locked = {"grade_id": "setup", "locked": True, "solution": False, "grade": False}
    master_nb = {"cells": [{"cell_type": "code", "metadata": {"nbgrader": locked}, "source": ""}]}
    tampered = {
        "cells": [{"cell_type": "code", "metadata": {"nbgrader": locked}, "source": "import os"}]
    }
    assert StudentCode.from_notebook(tampered, master_nb).problems() == []


def test_solutions_and_every_catalogued_answer_keep_to_the_rules():
    for lesson in lessons():
        notebook = json.loads((SOLUTIONS / f"{lesson}.ipynb").read_text())
        solutions = {
            c["metadata"]["nbgrader"]["grade_id"]: "".join(c["source"])
            for c in notebook["cells"]
            if c["metadata"].get("nbgrader", {}).get("solution")
        }
        assert StudentCode.of_master(notebook, solutions).problems() == [], lesson
    for lesson, answer in CATALOG:
        code = StudentCode.of_master(master(lesson), {answer.cell: answer.code})
        assert code.problems() == [], (lesson, answer.name)


@pytest.mark.parametrize(
    "source, found",
    [
        (
            "from rnnlab.lstm_cells import lstm1_step_stacked\n"
            "def f(x):\n    return lstm1_step_stacked(x)",
            ["lstm1_step_stacked"],
        ),
        (
            "import rnnlab.lstm_cells as cells\ndef f(x):\n    return cells.lstm1_step_stacked(x)",
            ["lstm1_step_stacked"],
        ),
        (
            "def f(x):\n    from rnnlab.lstm_cells import lstm1_step_stacked as step\n"
            "    return step(x)",
            ["lstm1_step_stacked"],
        ),
        ("import rnnlab\ndef f(x):\n    return rnnlab.layers.LSTM(x)", ["LSTM"]),
        ("from rnnlab.layers import *\ndef f(x):\n    return LSTM(x)", ["LSTM"]),
        ("from rnnlab import layers\nL = layers.LSTM\ndef f(x):\n    return L(x)", ["LSTM"]),
        (
            "from rnnlab.layers import LSTM\ndef helper(x):\n    return LSTM(x)\n"
            "def f(x):\n    return helper(x)",
            ["LSTM"],
        ),
        ("from rnnlab.lstm_cells import lstm1_step_stacked as f", ["f"]),
        ("import numpy as np\ndef f(x):\n    return [np.tanh(v) for v in x]", []),
    ],
)
def test_each_way_of_reaching_the_library_is_named(source, found):
    assert _code(source).library_uses("f", BANNED) == found


def test_a_helper_graded_on_its_own_is_skipped():
    source = "from rnnlab.layers import LSTM\ndef helper(x):\n    return LSTM(x)\n"
    source += "def f(x):\n    return helper(x)"
    assert _code(source).library_uses("f", BANNED, skip=("helper",)) == []
