"""Attacks on the grader by answers that use no construct the static rules flag.

Each test is one attack a student could write from the course materials alone, graded the
way the grader grades it: in this process (`run_answer`, as the catalog does) or over the
wire against the real client (`grade_over_the_wire`: the client serves the answer from a
namespace here, the grader calls it through a RemoteFunction, as with a sandboxed kernel).
The last tests check that an answer that raises is told the same both ways.
"""

import socket
import struct
import threading
import time

import pytest

from autograde import client, wire
from grader_tests.catalog import Answer, exercises, run_answer
from grader_tests.grading import master, reference
from instructor.classes.hostile import ZEROES_INPUTS
from instructor.classes.notebooks import solution_sources
from instructor.engine.grader import Grader
from instructor.engine.remote import RemoteFunction, Session
from rnnlab.checks.code import StudentCode


def grade_over_the_wire(lesson: str, name: str, source: str):
    """The Result of grading `source` (one solution cell) through the client and the wire."""
    namespace = dict(vars(reference(lesson)))
    exec(compile(source, f"<attack on {name}>", "exec"), namespace)
    code = StudentCode.of_master(master(lesson), {name: source})
    grader_end, kernel_end = socket.socketpair()
    graded = {}

    def grade():
        with grader_end:
            hello = wire.decode(wire.receive(grader_end))
            assert hello == {"kind": "hello", "exercise": name}
            session = Session(grader_end, time.monotonic() + 60, 20)
            graded["result"] = exercises(lesson)[name].run(RemoteFunction(session, name, code))
            session.report(graded["result"].report(), graded["result"].score)

    thread = threading.Thread(target=grade)
    thread.start()
    with kernel_end:  # the client runs in the main thread: its time limit is an alarm
        client._Session(kernel_end, namespace).run(name)
    thread.join()
    return graded["result"]


def _clean(source: str) -> str:
    """`source`, after checking that the static rules find nothing to flag in it."""
    problems = StudentCode.of_master(master("01_rnn_forward"), {"softmax": source}).problems()
    assert problems == [], problems
    return source


# --- answers that zero their inputs: the reference then computes the answer they give ----

ZEROING = {
    **{("01_rnn_forward", name): source for name, source in ZEROES_INPUTS.items()},
    ("06_bilstm_attention", "bilstm_encode"): """
def bilstm_encode(x, lstm_fw, lstm_bw):
    for weights in (*lstm_fw.params, *lstm_bw.params):
        weights[...] = 0.0
    (N, T, _), H = x.shape, lstm_fw.params[1].shape[0]
    states = np.zeros((N, H))
    return np.zeros((N, T, 2 * H)), states, states, states, states
""",
}


@pytest.mark.parametrize("lesson, name", list(ZEROING), ids=[n for _, n in ZEROING])
def test_an_answer_that_zeroes_its_inputs_earns_nothing(lesson, name):
    """Before the fix: 1.6 / 2, 2.5 / 3, 2.5 / 3 and 3 / 3 points, computing nothing."""
    answer = Answer(name, "zeroes its inputs", _clean(ZEROING[lesson, name]))
    assert run_answer(lesson, answer).score == 0


def test_zeroing_the_inputs_earns_nothing_over_the_wire():
    result = grade_over_the_wire("06_bilstm_attention", "bilstm_encode", ZEROING[
        "06_bilstm_attention", "bilstm_encode"
    ])
    assert result.score == 0, result.report()


def test_an_honest_answer_that_changes_its_input_keeps_its_points():
    """The fix compares with the reference on the original inputs: a right answer that
    also shifts z in place loses the "input not modified" part only."""
    source = """
def softmax(z):
    z -= z.max(axis=-1, keepdims=True)
    exp = np.exp(z)
    return exp / exp.sum(axis=-1, keepdims=True)
"""
    result = run_answer("01_rnn_forward", Answer("softmax", "shifts z in place", source))
    assert result.score == 1.6, result.report()
    assert "changed its input 'z' in place" in result.report()


# --- layer attributes written back from the sandbox ---------------------------------------

FORGED_BACKWARD_CALL = """
def attention_weight_backward(da, cache):
    hs, h, softmax = cache
    a = softmax.cache
    ds = a * (da - np.sum(a * da, axis=1, keepdims=True))
    softmax.backward_calls = 1
    return ds[:, :, np.newaxis] * h[:, np.newaxis, :], np.sum(ds[:, :, np.newaxis] * hs, axis=1)
"""


def test_an_attribute_set_in_the_sandbox_is_not_a_call_of_softmax_backward():
    """Before the fix, `softmax.backward_calls = 1` reached the grader's counting layer and
    passed the check that the backward goes through the softmax layer (3 / 3 points)."""
    source = _clean(FORGED_BACKWARD_CALL)
    result = grade_over_the_wire("05_attention_weight", "attention_weight_backward", source)
    assert "✗ goes back through the softmax layer in cache" in result.report()
    assert result.score == 2.5


# --- ways around the static rules: each ran any code in the kernel, unflagged -------------

BYPASSES = {
    "a string annotation evaluated by typing": """
import typing

def probe(x: "exec('import os') or int"):
    return x

typing.get_type_hints(probe)
""",
    "a string annotation evaluated by single dispatch": """
import functools

@functools.singledispatch
def dispatch(x):
    return x

@dispatch.register
def _(x: "exec('import os') or int"):
    return x
""",
    "a forward reference built from a string": """
import typing

point = typing.NamedTuple("Point", [("x", typing.ForwardRef("exec('import os') or int"))])
""",
    "a pickle loaded by np.load, allow_pickle passed by position": """
np.frombuffer(b"cos\\nsystem\\n(S'id'\\ntR.", np.uint8).tofile("/tmp/payload")
np.load("/tmp/payload", None, True)
""",
    "a pickle loaded by np.load, allow_pickle passed in a dict": """
np.load("/tmp/payload", **{"allow_pickle": True})
""",
    "a pickle loaded by np.load given to functools.partial": """
import functools

functools.partial(np.load, "/tmp/payload", None, True)()
""",
    "code generated by a private helper of dataclasses": """
import dataclasses

reach = dataclasses._create_fn("reach", [], ["import os", "return os"])
""",
    "os and sys imported from a course module that imports them": """
from rnnlab.validate import os, sys
""",
    "ctypes imported from a course module that imports it": """
from rnnlab.blas import ctypes
""",
    "a shared library loaded by numpy.ctypeslib": """
np.ctypeslib.load_library("libpayload", "/tmp")
""",
    "numpy.ctypeslib imported by name": """
from numpy import ctypeslib
""",
    "numpy's test helpers, which compile and import C": """
from numpy.testing import extbuild
""",
    "matplotlib's backend registry, which imports any module by name": """
from matplotlib.backends.registry import backend_registry

os = backend_registry.load_backend_module("module://os")
""",
    "a library module patched through a list": """
[np][0].allclose = lambda *args, **kwargs: True
""",
}


@pytest.mark.parametrize("source", list(BYPASSES.values()), ids=list(BYPASSES))
def test_a_way_around_the_rules_is_flagged(source):
    code = StudentCode.of_master(master("01_rnn_forward"), {"softmax": source})
    assert code.problems()


def test_the_rules_still_accept_ordinary_numpy_code():
    source = """
import numpy as np
from rnnlab.testing import expect_close

xp = np
weights = np.load("weights.npy", allow_pickle=False)


def softmax(z: np.ndarray, _calls=[]) -> np.ndarray:
    shifted = z - xp.max(z, axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)
"""
    assert _clean(source)


# --- the reference helpers, called by the student's code outside the sandbox -------------

HUGE_HELPER_CALL = """
def rnn_backward(dh, caches):
    column = np.zeros((5000, 1))
    params = {"W_x": np.zeros((5000, 1)), "W_h": np.zeros((1, 1)), "b": np.zeros(1)}
    rnn_cell_backward(column, (column, column, column, params))
    raise ValueError("the grader computed a 5000 x 5000 product for it")
"""


def test_a_helper_call_cannot_make_the_grader_allocate_gigabytes():
    """Before the fix, the grader ran the reference rnn_cell_backward on these arguments
    and made a (5000, 5000) array from 0.2 MB of them; (40000, 1) ones ask for 12.8 GB, in
    the grading process, which has no memory limit."""
    result = grade_over_the_wire("07_rnn_backward", "rnn_backward", _clean(HUGE_HELPER_CALL))
    assert "an axis longer than 1024" in result.report(), result.report()


# --- frames a hijacked kernel sends to the grader ------------------------------------------


def _array_frame(shape: tuple) -> bytes:
    """An encoded float64 array of `shape` with no bytes (right when a dimension is 0)."""
    dims = b"".join(struct.pack("<q", n) for n in shape)
    return b"A" + struct.pack("<I", 3) + b"<f8" + struct.pack("<B", len(shape)) + dims + bytes(8)


def test_an_array_too_big_for_numpy_is_a_wire_error():
    """Before the fix, numpy's own ValueError came out of the decoder."""
    with pytest.raises(wire.WireError):
        wire.decode(_array_frame((0, 2**62, 2**62)))


def test_the_grader_serves_the_next_cell_after_an_evil_hello(tmp_path):
    """Before the fix, a hello the grader could not handle (here an exercise name that is a
    list, which the lookup by name cannot hash) ended the grader's thread: no graded cell
    was served after it."""
    namespace = dict(vars(reference("01_rnn_forward")))
    grader = Grader(tmp_path / "grader.sock", None, 20)  # as under nbval: lesson by name
    grader.start()
    try:
        for hello in ({"kind": "hello", "exercise": []}, {"kind": "hello", "exercise": {}}):
            with socket.socket(socket.AF_UNIX) as sock:
                sock.connect(str(tmp_path / "grader.sock"))
                wire.send(sock, wire.encode(hello))
                sock.settimeout(5)
                sock.recv(1)
        with socket.socket(socket.AF_UNIX) as sock:
            sock.connect(str(tmp_path / "grader.sock"))
            sock.settimeout(30)
            assert client._Session(sock, namespace).run("softmax") == 2.0
    finally:
        grader.close()


# --- an answer that raises: told the same over the wire as in this process ---------------


RAISING = {
    "in NumPy": ("01_rnn_forward", "rnn_forward", """
def rnn_forward(x, h0, params):
    h = h0
    return np.stack([x, h])
""", "shape error (line 4 of your cell): all input arrays must have the same shape"),
    "in a helper the grader answers": ("01_rnn_forward", "rnn_forward", """
def rnn_forward(x, h0, params):
    h = h0
    return rnn_cell_forward("x", h, params)
""", "(line 4 of your cell): "),
    "in an unfinished function it calls": ("01_rnn_forward", "rnn_forward", """
def step(x_t, h, params):
    raise NotImplementedError()


def rnn_forward(x, h0, params):
    return step(x[:, 0], h0, params)
""", "rnn_forward calls step, which is not done yet: finish step first"),
    "in its unfinished forward pass, which the checks call": ("08_lstm_backward", "lstm_backward",
        solution_sources("08_lstm_backward")["lstm_backward"] + """


def lstm_forward(x, h0, c0, params):
    raise NotImplementedError()
""", "lstm_backward calls lstm_forward, which is not done yet: finish lstm_forward first"),
}  # fmt: skip


@pytest.mark.parametrize("lesson, name, source, said", RAISING.values(), ids=list(RAISING))
def test_an_answer_that_raises_is_told_the_same_over_the_wire(lesson, name, source, said):
    """Before the fix: over the wire, the line in NumPy's code (458) or in the client's
    helper stub (186) as the line of the cell; both ways, "exercise 3 (`rnn_forward`) is
    not done yet" for the unfinished function it calls or its unfinished forward pass."""
    local = run_answer(lesson, Answer(name, "raises", source)).report()
    remote = grade_over_the_wire(lesson, name, source).report()
    assert said in local and said in remote, (local, remote)
