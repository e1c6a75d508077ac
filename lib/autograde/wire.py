"""Plain data on the wire between the grader and the sandbox: no pickle, no code.

A value is one of: None, bool, int, float, str, a NumPy array or scalar of a numeric or bool
dtype, a list, tuple or dict (str keys) of values, or a *layer*: an instance of a class both
sides register (rnnlab's Softmax, LSTM...), sent as its class name and its attributes.
Anything else is encoded as `Unsupported(type name)`, so the receiver can say what was
wrong instead of guessing. Decoding checks every length, count, dtype and depth; what does
not parse raises `WireError`. A message is one encoded dict, framed by its 8-byte length.

    data = encode({"kind": "call", "args": [x, h0]})
    value = decode(data)
"""

import functools
import math
import struct

import numpy as np

MAX_MESSAGE = 256 * 1024 * 1024  # bytes of one message
MAX_DEPTH = 40  # nesting of lists, tuples, dicts and layers
MAX_ITEMS = 1_000_000  # entries of one container
DTYPES = frozenset(
    prefix + code
    for prefix in "<|"
    for code in ("b1", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f2", "f4", "f8")
    + ("c8", "c16")
)

_pack, _unpack_from = struct.pack, struct.unpack_from
_frombuffer, _generic, _ndarray = np.frombuffer, np.generic, np.ndarray
_SCALARS = frozenset(np.dtype(code).type for code in DTYPES)
_DTYPE_OF = {name: np.dtype(name) for name in DTYPES}


class WireError(ValueError):
    """Bytes that are not a well-formed message."""


class Unsupported:
    """A value of a type the wire does not carry; `kind` names it, e.g. "MyArray"."""

    def __init__(self, kind: str):
        self.kind = kind

    def __repr__(self) -> str:
        return f"<unsupported {self.kind}>"


class Layer:
    """A layer as decoded: its registered class name, handle, attributes and method calls.

    handle: the sender's number for the object (a reference to an object the receiver
    sent has is_ref True and no state).
    """

    def __init__(self, name: str, handle: int, state: dict, calls: dict, is_ref: bool):
        self.name, self.handle, self.state, self.calls, self.is_ref = (
            name,
            handle,
            state,
            calls,
            is_ref,
        )


class Encoder:
    """Turns values into bytes.

    layers: {class: registered name}; an instance of a subclass goes by its nearest
    registered class. handle_of(obj) -> (handle, is_ref) numbers a layer: is_ref True
    sends a reference to an object the receiver gave; calls_of(obj) -> {method: count}.
    """

    def __init__(self, layers=None, handle_of=None, calls_of=None):
        self.layers = layers or {}
        self.handle_of = handle_of or (lambda obj: (id(obj), False))
        self.calls_of = calls_of or (lambda obj: {})

    def encode(self, value) -> bytes:
        parts: list = []
        self._value(value, parts, 0)
        return b"".join(parts)

    def _value(self, value, out: list, depth: int) -> None:
        kind = type(value)
        if depth >= MAX_DEPTH:
            self._unsupported("value nested too deeply", out)
        elif value is None:
            out.append(b"N")
        elif kind is bool:
            out.append(b"T" if value else b"F")
        elif kind is int:
            self._int(value, out)
        elif kind is float:
            out.append(b"D" + _pack("<d", value))
        elif kind is str:
            self._str(b"S", value, out)
        elif kind is list or kind is tuple:
            out.append((b"L" if kind is list else b"U") + _pack("<I", len(value)))
            for item in value:
                self._value(item, out, depth + 1)
        elif kind is dict:
            self._dict(value, out, depth)
        elif kind is _ndarray:
            self._array(value, out)
        elif kind in _SCALARS:
            self._str(b"C", value.dtype.str, out)
            out.append(value.tobytes())
        else:
            self._layer(value, out, depth)

    def _int(self, value: int, out: list) -> None:
        if -(2**63) <= value < 2**63:
            out.append(b"I" + _pack("<q", value))
        else:
            self._str(b"J", str(value), out)

    def _str(self, tag: bytes, text: str, out: list) -> None:
        data = text.encode("utf-8", "surrogatepass")
        out.append(tag + _pack("<I", len(data)) + data)

    def _dict(self, value: dict, out: list, depth: int) -> None:
        if any(type(key) is not str for key in value):
            self._unsupported("dict with keys that are not strings", out)
            return
        out.append(b"M" + _pack("<I", len(value)))
        for key, item in value.items():
            self._str(b"S", key, out)
            self._value(item, out, depth + 1)

    def _array(self, value, out: list) -> None:
        dtype = value.dtype.str
        if dtype not in DTYPES:
            self._unsupported(f"ndarray of dtype {value.dtype}", out)
            return
        out.append(_array_header(dtype, value.shape))
        out.append(value.tobytes())

    def _layer(self, value, out: list, depth: int) -> None:
        name = next((self.layers[c] for c in type(value).__mro__ if c in self.layers), None)
        if name is None:
            self._unsupported(_type_name(value), out)
            return
        handle, is_ref = self.handle_of(value)
        if is_ref:
            out.append(b"R" + _pack("<q", handle))
            return
        self._str(b"O", name, out)
        out.append(_pack("<q", handle))
        self._dict(dict(vars(value)), out, depth + 1)
        self._dict(dict(self.calls_of(value)), out, depth + 1)

    def _unsupported(self, kind: str, out: list) -> None:
        self._str(b"X", kind, out)


@functools.lru_cache(maxsize=1024)  # the checks send many arrays of a few shapes
def _array_header(dtype: str, shape: tuple) -> bytes:
    """Tag, dtype, shape and byte count of an array of allowed dtype `dtype` ("<f8")."""
    name = dtype.encode()
    size = math.prod(shape) * _DTYPE_OF[dtype].itemsize
    dims = b"".join(_pack("<q", n) for n in shape)
    return b"A" + _pack("<I", len(name)) + name + _pack("<B", len(shape)) + dims + _pack("<Q", size)


def _type_name(value) -> str:
    kind = type(value)
    if isinstance(value, _ndarray):
        return f"{kind.__name__} (a subclass of ndarray)"
    if isinstance(value, _generic):
        return f"NumPy scalar of dtype {value.dtype}"
    return kind.__name__


_I32, _I64, _F64, _U8 = (struct.Struct(f) for f in ("<I", "<q", "<d", "<B"))
_SIMPLE = {b"N": None, b"T": True, b"F": False}


def _allowed_dtype(name: str) -> np.dtype:
    """The dtype named `name` ("<f8"), if the wire carries it."""
    if name not in _DTYPE_OF:
        raise WireError(f"dtype {name!r} is not allowed")
    return _DTYPE_OF[name]


@functools.lru_cache(maxsize=1024)  # a rejected header raises, so it is never kept
def _read_header(header: bytes) -> tuple:
    """(dtype, shape, byte count) of an array's header (after its tag), checked."""
    name_size = _I32.unpack_from(header)[0]
    dtype = _allowed_dtype(str(header[4 : 4 + name_size], "utf-8", "replace"))
    ndim = header[4 + name_size]
    if ndim > 32:
        raise WireError("too many dimensions")
    shape = struct.unpack_from(f"<{ndim}qQ", header, 5 + name_size)
    shape, size = shape[:-1], shape[-1]
    if any(n < 0 or n > MAX_MESSAGE for n in shape):  # (0, 2**62, 2**62): too big for numpy
        raise WireError("an array's shape is out of range")
    count = 1
    for n in shape:
        count *= n
    if size != count * dtype.itemsize:
        raise WireError("an array's shape does not match its bytes")
    return dtype, shape, size


class Decoder:
    """Turns bytes back into values, checking everything; make_layer(Layer) -> object."""

    def __init__(self, make_layer=None):
        self.make_layer = make_layer or (lambda layer: layer)
        self._readers = {  # tag -> reader(depth)
            b"I": lambda depth: self._number(_I64),
            b"J": lambda depth: self._big_int(),
            b"D": lambda depth: self._number(_F64),
            b"S": lambda depth: self._text(),
            b"L": lambda depth: [self._value(depth + 1) for _ in range(self._count())],
            b"U": lambda depth: tuple(self._value(depth + 1) for _ in range(self._count())),
            b"M": self._dict,
            b"A": lambda depth: self._array(),
            b"C": lambda depth: self._scalar(),
            b"O": self._layer,
            b"R": lambda depth: self.make_layer(Layer("", self._number(_I64), {}, {}, True)),
            b"X": lambda depth: Unsupported(self._text()),
        }

    def decode(self, data: bytes):
        self.data, self.pos = memoryview(data), 0
        value = self._value(0)
        if self.pos != len(self.data):
            raise WireError("trailing bytes after the value")
        return value

    def _take(self, size: int) -> memoryview:
        if size < 0 or self.pos + size > len(self.data):
            raise WireError("truncated message")
        chunk = self.data[self.pos : self.pos + size]
        self.pos += size
        return chunk

    def _number(self, layout: struct.Struct):
        return layout.unpack(self._take(layout.size))[0]

    def _text(self) -> str:
        size = self._number(_I32)
        try:
            return str(self._take(size), "utf-8", "surrogatepass")
        except UnicodeDecodeError as error:
            raise WireError("a string is not UTF-8") from error

    def _count(self) -> int:
        count = self._number(_I32)
        if count > MAX_ITEMS or count > len(self.data) - self.pos:
            raise WireError("a container claims more items than the message holds")
        return count

    def _value(self, depth: int):
        if depth > MAX_DEPTH:
            raise WireError("value nested too deeply")
        tag = bytes(self._take(1))
        if tag in _SIMPLE:
            return _SIMPLE[tag]
        reader = self._readers.get(tag)
        if reader is None:
            raise WireError(f"unknown tag {tag!r}")
        return reader(depth)

    def _big_int(self) -> int:
        text = self._text()
        if len(text) > 4000 or not text.lstrip("-").isdigit():
            raise WireError("a malformed integer")
        return int(text)

    def _dict(self, depth: int) -> dict:
        result = {}
        for _ in range(self._count()):
            if bytes(self._take(1)) != b"S":
                raise WireError("a dict key is not a string")
            key = self._text()
            result[key] = self._value(depth + 1)
        return result

    def _dtype(self) -> np.dtype:
        return _allowed_dtype(self._text())

    def _array(self) -> np.ndarray:
        start = self.pos
        self._take(self._number(_I32))  # the dtype's name
        self._take(8 * self._number(_U8) + 8)  # the shape and the byte count
        dtype, shape, size = _read_header(bytes(self.data[start : self.pos]))
        return _frombuffer(self._take(size), dtype).reshape(shape).copy()

    def _scalar(self):
        dtype = self._dtype()
        return _frombuffer(self._take(dtype.itemsize), dtype)[0]

    def _tagged_dict(self, depth: int) -> dict:
        if bytes(self._take(1)) != b"M":
            raise WireError("a layer without its attributes")
        return self._dict(depth)

    def _layer(self, depth: int):
        name = self._text()
        handle = self._number(_I64)
        state, calls = self._tagged_dict(depth + 1), self._tagged_dict(depth + 1)
        if not all(type(n) is int and n >= 0 for n in calls.values()):
            raise WireError("a layer's call counts are not counts")
        return self.make_layer(Layer(name, handle, state, calls, False))


def encode(value, **options) -> bytes:
    """Bytes of `value` (see Encoder for the options)."""
    return Encoder(**options).encode(value)


def decode(data: bytes, make_layer=None):
    """The value of `data`; raises WireError for anything malformed."""
    return Decoder(make_layer).decode(data)


def send(sock, data: bytes) -> None:
    """Send one framed message on a connected stream socket."""
    sock.sendall(_pack("<Q", len(data)) + data)


def receive(sock, limit: int = MAX_MESSAGE) -> bytes:
    """Receive one framed message; raises WireError if the peer closed or it is too big."""
    size = _unpack_from("<Q", _exactly(sock, 8))[0]
    if size > limit:
        raise WireError(f"a message of {size} bytes is more than the {limit} allowed")
    return _exactly(sock, size)


def _exactly(sock, size: int) -> bytes:
    chunks, missing = [], size
    while missing:
        chunk = sock.recv(min(missing, 1 << 20))
        if not chunk:
            raise WireError("the other side closed the connection")
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)
