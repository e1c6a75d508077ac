"""The grader's side of the channel, talked to by honest and hijacked clients: the honest
client earns its marks; a forged, malformed, silent or greedy one earns nothing it did not
compute, never stops the grader, and cannot grade an exercise twice or out of its notebook."""

import socket
import time

import numpy as np
import pytest

from autograde import client, wire
from grader_tests.grading import master, reference
from instructor.engine.grader import Grader
from rnnlab.checks.code import StudentCode

LESSON = "01_rnn_forward"


class Agreeable(np.ndarray):
    """An array that says it equals anything."""

    def __eq__(self, other):
        return True


@pytest.fixture
def grader(tmp_path):
    stuck = []
    codes = {LESSON: StudentCode.of_master(master(LESSON))}
    server = Grader(
        tmp_path / "grader.sock", codes, exercise_seconds=3, stuck=lambda: stuck.append(1)
    )
    server.start()
    server.begin(LESSON)
    server.stuck_calls = stuck
    yield server
    server.close()


def _connect(grader) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX)
    sock.connect(str(grader.socket_path))
    sock.settimeout(10)
    return sock


def _send(sock, message) -> None:
    wire.send(sock, wire.encode(message))


def _receive(sock) -> dict:
    return wire.decode(wire.receive(sock))


def _next(sock, kind: str) -> dict:
    """The next message of `kind` (session messages, which only name the helpers, skipped)."""
    message = _receive(sock)
    while message["kind"] == "session" and kind != "session":
        message = _receive(sock)
    assert message["kind"] == kind, message
    return message


def _until_report(sock, answer) -> dict:
    """Answer the grader's requests with answer(message) until it sends the report."""
    while True:
        message = _receive(sock)
        if message["kind"] == "report":
            return message
        if message["kind"] != "session":
            _send(sock, answer(message))


def _wait_for(grader, name: str):
    for _ in range(200):
        result = grader.results.get(LESSON, {}).get(name)
        if result is not None and result.lines != ["  ✗ grading did not finish"]:
            return result
        time.sleep(0.01)
    return grader.results[LESSON][name]


def test_the_honest_client_earns_full_marks(grader):
    namespace = dict(vars(reference(LESSON)))
    with _connect(grader) as sock:
        score = client._Session(sock, namespace).run("softmax")
    assert score == 2.0 and _wait_for(grader, "softmax").score == 2.0


def test_an_exercise_is_graded_once_per_notebook_and_only_its_own(grader):
    namespace = dict(vars(reference(LESSON)))
    with _connect(grader) as sock:
        client._Session(sock, namespace).run("softmax")
    with _connect(grader) as sock:
        _send(sock, {"kind": "hello", "exercise": "softmax"})
        again = _receive(sock)
    with _connect(grader) as sock:
        _send(sock, {"kind": "hello", "exercise": "lstm1_cell_forward"})
        other = _receive(sock)
    assert again["score"] == 0.0 and "already graded" in again["text"]
    assert other["score"] == 0.0 and "not an exercise of this notebook" in other["text"]
    assert set(grader.results[LESSON]) == {"softmax"}
    assert grader.results[LESSON]["softmax"].score == 2.0


def test_no_session_outside_a_notebooks_run(grader):
    grader.end()
    with _connect(grader) as sock:
        _send(sock, {"kind": "hello", "exercise": "softmax"})
        refused = _receive(sock)
    assert refused["score"] == 0.0 and "not an exercise of this notebook" in refused["text"]


def test_a_client_that_answers_without_computing_earns_nothing(grader):
    def forge(message):
        if message["kind"] == "describe":
            return {"kind": "described", "exists": True, "callable": True}
        shape = np.shape(message["args"][0])
        return {
            "kind": "returned",
            "value": np.full(shape, 1 / shape[-1]),
            "args_after": None,
            "outside_data": [],
            "lines": 0,
        }

    with _connect(grader) as sock:
        _send(sock, {"kind": "hello", "exercise": "softmax"})
        report = _until_report(sock, forge)
    assert report["score"] == 0.0
    assert _wait_for(grader, "softmax").score == 0.0


@pytest.mark.parametrize(
    "reply, said",
    [
        (
            {"kind": "returned", "value": np.zeros(3).view(Agreeable)},
            "returned a Agreeable (a subclass of ndarray)",
        ),
        (
            {"kind": "raised", "type": "SystemExit", "builtin": True, "message": "bye"},
            "SystemExit: bye",
        ),
        (
            {"kind": "raised", "type": "KeyboardInterrupt", "builtin": True, "message": ""},
            "KeyboardInterrupt",
        ),
        (
            {"kind": "raised", "type": "not an identifier!", "builtin": False, "message": "x"},
            "Exception: x",
        ),
    ],
)
def test_odd_replies_are_wrong_answers_not_crashes(grader, reply, said):
    def answer(message):
        if message["kind"] == "describe":
            return {"kind": "described", "exists": True, "callable": True}
        return reply

    with _connect(grader) as sock:
        _send(sock, {"kind": "hello", "exercise": "softmax"})
        report = _until_report(sock, answer)
    assert report["score"] == 0.0 and said in report["text"], report["text"]


@pytest.mark.parametrize(
    "attack",
    [
        lambda sock: sock.sendall(b"\xff" * 64),
        lambda sock: sock.sendall((2**50).to_bytes(8, "little")),
        lambda sock: _send(sock, {"kind": "returned", "value": None, "args_after": [[1], {}]}),
        lambda sock: wire.send(sock, b"R" + (99).to_bytes(8, "little")),
        lambda sock: None,  # silence until the deadline
    ],
    ids=["garbage", "huge frame", "reply before request", "unknown layer", "silence"],
)
def test_a_broken_channel_stops_the_exercise_and_nothing_else(grader, attack):
    with _connect(grader) as sock:
        _send(sock, {"kind": "hello", "exercise": "softmax"})
        _next(sock, "describe")
        attack(sock)
        result = _wait_for(grader, "softmax")
    assert result.score == 0.0
    namespace = dict(vars(reference(LESSON)))
    with _connect(grader) as sock:  # the grader goes on serving the next exercise
        assert client._Session(sock, namespace).run("rnn_cell_forward") == 3.0


def test_a_silent_kernel_is_reported_stuck(grader):
    with _connect(grader) as sock:
        _send(sock, {"kind": "hello", "exercise": "softmax"})
        _next(sock, "describe")
        time.sleep(3.5)
        result = _wait_for(grader, "softmax")
    assert "did not finish within its time limit" in result.report()
    assert grader.stuck_calls


def test_helpers_are_answered_only_for_the_exercise_that_has_them(grader):
    """rnn_cell_forward may call the reference softmax; a client asking for the reference
    rnn_cell_forward (the exercise itself) gets a refusal, not the answer."""
    asked = []

    def answer(message):
        if message["kind"] == "describe":
            return {"kind": "described", "exists": True, "callable": True}
        return {"kind": "returned", "value": None}

    with _connect(grader) as sock:
        _send(sock, {"kind": "hello", "exercise": "rnn_cell_forward"})
        _next(sock, "describe")
        _send(sock, answer({"kind": "describe"}))
        assert _next(sock, "session")["helpers"] == ["softmax"]
        call = _receive(sock)
        for name in ("rnn_cell_forward", "softmax"):
            _send(sock, {"kind": "helper", "name": name, "args": [np.ones((2, 3))], "kwargs": {}})
            asked.append(_receive(sock))
        _send(sock, {"kind": "returned", "value": None})
        assert call["kind"] == "call"
        _until_report(sock, answer)
    refused, helped = asked
    assert refused["kind"] == "helper_error" and "not available" in refused["message"]
    assert helped["kind"] == "helper_result" and np.allclose(helped["value"].sum(axis=1), 1)
