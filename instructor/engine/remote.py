"""The student's function as the grader sees it: every call crosses into the sandbox.

A `Session` is one exercise's conversation with the client in a sandboxed kernel (see
autograde.client). A `RemoteFunction` behaves like the student's function for the hidden
tests: calling it sends plain data and returns plain data; arguments the function changed
in place are changed here too; an exception it raised is raised here as an exception of
the same name (always an Exception, never something that could stop the grader), that
carries where the sandbox says it was raised (`RemoteFunction.origin`); a result of a
type the wire does not carry fails the check with a message saying what it was.
Nothing the sandbox sends is executed or unpickled.
"""

import builtins
import contextlib
import socket
import time

import numpy as np

from autograde import wire
from autograde.layers import BY_NAME, LAYERS
from grader_tests.grading import StopGrading
from rnnlab.testing import CheckFailed

MAX_REPLY = 64 * 1024 * 1024
# The longest axis of an array a helper call may pass to the reference. The checks use a
# few dozen at most; the reference helpers multiply axes of different arguments, so a
# (40000, 1) by (1, 40000) product would take 12.8 GB of the grader's memory (outside the
# sandbox and its limits) for 0.6 MB of arguments.
MAX_HELPER_AXIS = 1024
_ERROR_CLASSES: dict = {}


class Session:
    """One exercise served by a sandboxed kernel, until `deadline` (time.monotonic())."""

    def __init__(self, sock: socket.socket, deadline: float, call_seconds: int):
        self.sock, self.deadline, self.call_seconds = sock, deadline, call_seconds
        self.objects: dict = {}  # {handle: layer object of the grader's} of the current call
        self.helpers, self.ref = [], None
        self.late = False  # the exercise ran out of time waiting for the kernel

    def _send(self, message: dict) -> None:
        encoder = wire.Encoder(LAYERS, self._handle_of)
        try:
            self.sock.settimeout(max(0.01, self.deadline - time.monotonic()))
            wire.send(self.sock, encoder.encode(message))
        except OSError as error:
            raise StopGrading(f"the notebook's kernel stopped answering ({error})") from None

    def _receive(self) -> dict:
        remaining = self.deadline - time.monotonic()
        try:
            if remaining <= 0:
                raise TimeoutError()
            self.sock.settimeout(remaining)
            message = wire.decode(wire.receive(self.sock, MAX_REPLY), self._make_layer)
        except TimeoutError:
            self.late = True
            raise StopGrading("the exercise did not finish within its time limit") from None
        except (OSError, wire.WireError) as error:
            raise StopGrading(f"the notebook's kernel stopped answering ({error})") from None
        if type(message) is not dict or type(message.get("kind")) is not str:
            raise StopGrading("the notebook's kernel sent something that is not a reply")
        return message

    def _handle_of(self, obj) -> tuple:
        for handle, known in self.objects.items():
            if known is obj:
                return handle, False
        handle = len(self.objects) + 1
        self.objects[handle] = obj
        return handle, False

    def _make_layer(self, layer: wire.Layer):
        known = self.objects.get(layer.handle)
        if layer.is_ref:
            if known is None:
                raise wire.WireError("a reference to a layer the grader never sent")
            return known
        if known is None:
            if layer.name not in BY_NAME:
                return wire.Unsupported(f"layer {layer.name}")
            known = BY_NAME[layer.name].__new__(BY_NAME[layer.name])
            self.objects[layer.handle] = known
        known.__dict__.clear()
        known.__dict__.update(layer.state)
        if hasattr(known, "remote_calls"):
            known.remote_calls(layer.calls)
        return known

    def start(self, helpers: list) -> None:
        self._send({"kind": "session", "helpers": list(helpers), "call_seconds": self.call_seconds})

    def describe(self, name: str) -> tuple:
        self._send({"kind": "describe", "name": name})
        reply = self._receive()
        return reply.get("exists") is True, reply.get("callable") is True

    def call(self, name: str, args: list, kwargs: dict, trace: bool = False) -> dict:
        """Call the student's `name`; the reply, with the arguments synchronised."""
        self.objects = {}
        self._send({"kind": "call", "name": name, "args": args, "kwargs": kwargs, "trace": trace})
        reply = self._receive()
        while reply["kind"] == "helper":
            self._answer_helper(reply)
            reply = self._receive()
        if reply["kind"] not in ("returned", "raised"):
            raise StopGrading("the notebook's kernel sent something that is not a reply")
        after = reply.get("args_after")
        if isinstance(after, list) and len(after) == 2:
            _sync(args, after[0])
            _sync(kwargs, after[1])
        return reply

    def _answer_helper(self, request: dict) -> None:
        name = request.get("name")
        if name not in self.helpers or self.ref is None:
            self._send({"kind": "helper_error", "message": f"{name} is not available here"})
            return
        if _longest_axis([request.get("args"), request.get("kwargs")]) > MAX_HELPER_AXIS:
            message = f"the arguments of {name} have an axis longer than {MAX_HELPER_AXIS}"
            self._send({"kind": "helper_error", "message": message})
            return
        try:
            value = getattr(self.ref, name)(*request.get("args", []), **request.get("kwargs", {}))
        except Exception as error:  # the reference refused the student's arguments
            self._send({"kind": "helper_error", "message": f"{type(error).__name__}: {error}"})
            return
        self._send({"kind": "helper_result", "value": value})

    def report(self, text: str, score: float) -> None:
        self._send({"kind": "report", "text": text, "score": float(score)})


class RemoteFunction:
    """The student's function `name`, called through `session`; `code`: its StudentCode."""

    def __init__(self, session: Session, name: str, code):
        self.session, self.name, self.code = session, name, code
        self.last: dict = {}

    def __call__(self, *args, **kwargs):
        return self._call(args, kwargs, trace=False)

    def _call(self, args, kwargs, trace: bool):
        self.last = self.session.call(self.name, list(args), dict(kwargs), trace)
        if self.last["kind"] == "raised":
            raise _student_error(self.last)
        value = self.last.get("value")
        problem = _unsupported(value, "the result")
        if problem:
            raise CheckFailed(
                f"{self.name} returned {problem}: results must be NumPy arrays, numbers, "
                "strings, or lists, tuples and dicts of them"
            )
        return value

    def describe(self) -> tuple:
        """(exists, callable) of the name in the student's notebook."""
        return self.session.describe(self.name)

    def outside_data(self) -> list:
        names = self.last.get("outside_data")
        return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []

    def traced(self, *args, **kwargs) -> tuple:
        """(result, lines of the notebook's own code that ran during the call)."""
        value = self._call(args, kwargs, trace=True)
        lines = self.last.get("lines")
        return value, lines if type(lines) is int else 0

    def sibling(self, name: str) -> "RemoteFunction":
        return RemoteFunction(self.session, name, self.code)

    @staticmethod
    def origin(error: Exception) -> tuple:
        """(line of the exercise's cell, unfinished notebook function or "") where the
        sandbox says `error` was raised; (None, "") for an error not raised there."""
        return getattr(error, "origin", (None, ""))

    @contextlib.contextmanager
    def helpers_replaced(self, names: tuple, ref):
        """During the block, the student's helpers `names` are the reference's."""
        self.session.helpers, self.session.ref = list(names), ref
        self.session.start(list(names))
        try:
            yield
        finally:
            self.session.helpers, self.session.ref = [], None


def _longest_axis(value) -> int:
    """The longest axis of any array in `value` (lists, tuples and dicts searched)."""
    if isinstance(value, np.ndarray):
        return max(value.shape, default=0)
    if isinstance(value, (list, tuple)):
        return max((_longest_axis(item) for item in value), default=0)
    if isinstance(value, dict):
        return max((_longest_axis(item) for item in value.values()), default=0)
    return 0


def _sync(original, after) -> None:
    """Make `original` (what the grader passed) look like `after` (the same argument after
    the call, in the sandbox), in place: the checks see what an in-process call shows."""
    if isinstance(original, np.ndarray):
        if isinstance(after, np.ndarray) and after.shape == original.shape:
            np.copyto(original, after.astype(original.dtype, copy=False), casting="unsafe")
        elif original.dtype.kind == "f":
            original[...] = np.nan  # reshaped or replaced in place: shows as changed
    elif isinstance(original, list) and isinstance(after, list):
        for index, value in enumerate(after[: len(original)]):
            if not _same_kind(original[index], value):
                original[index] = value
            else:
                _sync(original[index], value)
        original[len(after) :] = []
        original.extend(after[len(original) :])
    elif isinstance(original, tuple) and isinstance(after, (list, tuple)):
        for mine, theirs in zip(original, after, strict=False):
            _sync(mine, theirs)
    elif isinstance(original, dict) and isinstance(after, dict):
        for key in [k for k in original if k not in after]:
            del original[key]
        for key, value in after.items():
            if key in original and _same_kind(original[key], value):
                _sync(original[key], value)
            else:
                original[key] = value


def _same_kind(mine, theirs) -> bool:
    return isinstance(mine, (np.ndarray, list, tuple, dict)) and type(mine) is type(theirs)


def _unsupported(value, path: str) -> str:
    """A description of the first value the wire could not carry, or ""."""
    if isinstance(value, wire.Unsupported):
        return f"a {value.kind} as {path}"
    if isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            found = _unsupported(item, f"{path}[{index}]")
            if found:
                return found
    if isinstance(value, dict):
        for key, item in value.items():
            found = _unsupported(item, f"{path}[{key!r}]")
            if found:
                return found
    return ""


def _student_error(reply: dict) -> Exception:
    """An exception of the name the student's code raised, always an Exception subclass."""
    name = reply.get("type") if isinstance(reply.get("type"), str) else "Exception"
    message = reply.get("message") if isinstance(reply.get("message"), str) else ""
    base = getattr(builtins, name, None) if reply.get("builtin") is True else None
    if not (isinstance(base, type) and issubclass(base, Exception)):
        base = Exception
    key = (name if name.isidentifier() else "Exception", base)
    if key not in _ERROR_CLASSES:
        _ERROR_CLASSES[key] = type(key[0], (base,), {"__str__": lambda self: self.args[0]})
    error = _ERROR_CLASSES[key](message)
    error.origin = _origin(reply)
    return error


def _origin(reply: dict) -> tuple:
    """(line, unfinished function name or "") of a "raised" reply, each checked."""
    line, helper = reply.get("line"), reply.get("unfinished")
    return (
        line if type(line) is int else None,
        helper if isinstance(helper, str) and helper.isidentifier() else "",
    )
