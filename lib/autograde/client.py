"""The hidden region of a graded cell: serve the grader's calls, then print its report.

    serve("softmax")      # the cell evaluates to the points the grader recorded

The grader runs outside the sandbox and holds the hidden tests and reference answers. It
connects the other way round: this client dials the grader's Unix socket, names the
exercise, and then answers requests until the grader sends the report:

    describe  does the student's function exist, is it callable?
    call      call it (or another notebook function) on these arguments (plain data)
              and send back the result, or what it raised with the line of the
              exercise's cell and the unfinished notebook function it came from; the
              arguments as they are after the call (if the call changed them), the global
              names it read that hold data, and optionally how many lines of the
              notebook's own code ran (a loop over time shows as a count that grows)
    report    print this report; the cell evaluates to this score

While a call runs, the exercise's helper functions (a softmax used by the RNN cell, say)
are replaced by stubs that ask the grader for the reference result, so one wrong exercise
is not graded twice. The client is loaded before any student code runs (the zygote
preloads it) and keeps what it uses in module-level names bound at import.
"""

import builtins
import contextlib
import os
import signal
import socket
import sys

from autograde import wire
from autograde.layers import COUNTED, LAYERS
from autograde.names import replaced
from autograde.observe import cell_line, count_lines, outside_data, quiet, unfinished_helper

SOCKET = os.environ.get("RNNLAB_GRADER_SOCKET", "/run/grader/grader.sock")
MAX_REPLY = 64 * 1024 * 1024  # bytes of one reply: a bigger answer is refused
_alarm, _signal = signal.alarm, signal.signal
_BUILTIN_ERRORS = {
    value
    for value in vars(builtins).values()
    if isinstance(value, type) and issubclass(value, BaseException)
}


class _OutOfTime(BaseException):
    """Raised in the student's function when a call runs past its time limit."""


def _counting(cls: type) -> type:
    """A subclass of layer class `cls` whose instances count calls of COUNTED methods."""

    def wrap(method_name):
        method = getattr(cls, method_name)

        def counted(self, *args, **kwargs):
            counts = _CALLS.setdefault(id(self), {})
            counts[method_name] = counts.get(method_name, 0) + 1
            return method(self, *args, **kwargs)

        return counted

    methods = {name: wrap(name) for name in COUNTED if hasattr(cls, name)}
    return type(cls.__name__, (cls,), methods)


_CALLS: dict = {}  # {id(layer the grader gave): {method: calls}} during one call
_COUNTED_CLASSES = {name: _counting(cls) for cls, name in LAYERS.items()}


class _Call:
    """One call of the student's function, with the layers the grader passed in it."""

    def __init__(self):
        self.given = {}  # {handle: layer built here}
        self.handles = {}  # {id(layer): handle}
        self.fresh = -1  # handles of new layers made by the student: -1, -2, ...

    def make_layer(self, layer: wire.Layer):
        if layer.is_ref or layer.name not in _COUNTED_CLASSES:
            raise wire.WireError(f"the grader sent an unknown layer {layer.name!r}")
        if layer.handle not in self.given:
            obj = _COUNTED_CLASSES[layer.name].__new__(_COUNTED_CLASSES[layer.name])
            obj.__dict__.update(layer.state)
            self.given[layer.handle] = obj
            self.handles[id(obj)] = layer.handle
        return self.given[layer.handle]

    def encoder(self) -> wire.Encoder:
        """An encoder for one message of this call: a layer the grader gave goes in full
        (attributes and call counts) the first time, then as a reference; a layer the
        student made gets a fresh handle."""
        sent = set()

        def handle_of(obj):
            if id(obj) not in self.handles:
                self.fresh -= 1
                return self.fresh, False
            is_ref = id(obj) in sent
            sent.add(id(obj))
            return self.handles[id(obj)], is_ref

        return wire.Encoder(LAYERS, handle_of, lambda obj: _CALLS.get(id(obj), {}))


class _Session:
    """Serves one exercise for the grader over a connected socket."""

    def __init__(self, sock: socket.socket, namespace: dict):
        self.sock, self.namespace = sock, namespace
        self.exercise = ""  # the name of the exercise's function
        self.helpers: list = []
        self.call_seconds = 20

    def send(self, message: dict, encoder: wire.Encoder | None = None) -> None:
        data = (encoder or wire.Encoder()).encode(message)
        if len(data) > MAX_REPLY:
            note = f"the answer takes {len(data) // 2**20} MB, more than the {MAX_REPLY // 2**20}"
            data = wire.encode({"kind": "raised", "type": "ValueError", "message": note + " MB"})
        wire.send(self.sock, data)

    def receive(self, make_layer=None) -> dict:
        message = wire.decode(wire.receive(self.sock), make_layer)
        if type(message) is not dict or type(message.get("kind")) is not str:
            raise wire.WireError("a message without a kind")
        return message

    def run(self, name: str):
        self.exercise = name
        self.send({"kind": "hello", "exercise": name})
        while True:
            call = _Call()
            message = self.receive(call.make_layer)
            kind = message["kind"]
            if kind == "report":
                print(message.get("text", ""))
                return message.get("score")
            if kind == "session":
                self.helpers = list(message.get("helpers", []))
                self.call_seconds = int(message.get("call_seconds", 20))
            elif kind == "describe":
                self.send(self.describe(message["name"]))
            elif kind == "call":
                self.send(*self.call(message, call))

    def describe(self, name: str) -> dict:
        value = self.namespace.get(name)
        return {"kind": "described", "exists": name in self.namespace, "callable": callable(value)}

    def call(self, message: dict, call: _Call) -> tuple:
        """Run the student's function on the message's arguments; (reply, encoder)."""
        function = self.namespace.get(message["name"])
        exercise = self.namespace.get(self.exercise)
        args, kwargs = list(message.get("args", [])), dict(message.get("kwargs", {}))
        _CALLS.clear()
        before = call.encoder().encode([args, kwargs])
        lines = None
        with self.stubs(), quiet(), _time_limit(self.call_seconds):
            try:
                if message.get("trace"):
                    value, lines = count_lines(function, *args, **kwargs)
                else:
                    value = function(*args, **kwargs)
                reply = {"kind": "returned"}
            except _OutOfTime:
                value, reply = None, raised(TimeoutError(_late(self.call_seconds)), exercise)
            except KeyboardInterrupt:
                raise
            except BaseException as error:  # the student's code failed: report it
                value, reply = None, raised(error, exercise)
        after = call.encoder().encode([args, kwargs])
        reply["args_after"] = [args, kwargs] if after != before else None
        reply["outside_data"] = outside_data(function)
        reply["lines"] = lines
        reply["value"] = value
        return reply, call.encoder()

    def stubs(self):
        """Replace the exercise's helpers by stubs that ask the grader."""
        return replaced(self.namespace, {name: self.stub(name) for name in self.helpers})

    def stub(self, name: str):
        def reference(*args, **kwargs):
            self.send({"kind": "helper", "name": name, "args": list(args), "kwargs": kwargs})
            answer = self.receive()
            if answer["kind"] != "helper_result":
                raise TypeError(str(answer.get("message", f"the reference {name} failed")))
            return answer.get("value")

        reference.__name__ = name
        return reference


def raised(error: BaseException, exercise) -> dict:
    """The reply for `error`, raised in a call of the `exercise` function or of another
    notebook function the grader called (its forward pass, say): the line of the
    exercise's cell where it was raised, and the unfinished function it comes from."""
    kind = type(error)
    return {
        "kind": "raised",
        "type": kind.__name__,
        "builtin": kind in _BUILTIN_ERRORS,
        "message": _safe_str(error)[:2000],
        "line": cell_line(exercise, error),
        "unfinished": unfinished_helper(exercise, error),
    }


def _safe_str(error: BaseException) -> str:
    try:
        return str(error)
    except BaseException:  # a student's exception whose __str__ fails
        return f"<{type(error).__name__}>"


def _late(seconds: int) -> str:
    return f"did not finish within {seconds} s"


@contextlib.contextmanager
def _time_limit(seconds: int):
    """Raise _OutOfTime in the call after `seconds`, and again every second after that."""

    def expire(_signum, _frame):
        _alarm(1)
        raise _OutOfTime()

    previous = _signal(signal.SIGALRM, expire)
    _alarm(seconds)
    try:
        yield
    finally:
        _alarm(0)
        _signal(signal.SIGALRM, previous)


def serve(name: str):
    """Let the grader grade `name`; print its report and return the points it recorded."""
    namespace = sys._getframe(1).f_globals
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(SOCKET)
    except OSError:
        print(f"{name}: graded when you submit (no grader is running here)")
        return None
    try:
        with sock:
            return _Session(sock, namespace).run(name)
    except (OSError, wire.WireError) as error:
        print(f"{name}: the grader closed the connection ({error})")
        return 0.0

