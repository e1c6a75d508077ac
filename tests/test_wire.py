"""The wire between the grader and the sandbox carries plain data only, and the grader's
decoder turns any malformed or hostile bytes into a WireError, never into code, a crash
or a hang."""

import socket

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograde import wire
from autograde.layers import LAYERS
from rnnlab.layers import Softmax

DTYPES = [np.bool_, np.int8, np.int64, np.uint16, np.float32, np.float64, np.complex128]
arrays = hnp.arrays(
    st.sampled_from(DTYPES), hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4)
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    arrays,
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=4).map(tuple),
        st.dictionaries(st.text(max_size=8), inner, max_size=4),
    ),
    max_leaves=20,
)


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray):
        same_kind = type(b) is np.ndarray and a.dtype == b.dtype and a.shape == b.shape
        return same_kind and a.tobytes() == b.tobytes()
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, dict):
        return type(b) is dict and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


@settings(max_examples=200, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(values)
def test_plain_data_comes_back_as_it_went(value):
    assert _same(wire.decode(wire.encode(value)), value)


def test_numpy_scalars_nan_and_big_integers_survive():
    value = [np.float32(1.5), np.int8(-3), np.bool_(True), float("nan"), 2**90, -(2**70)]
    back = wire.decode(wire.encode(value))
    assert [type(v) for v in back] == [type(v) for v in value]
    assert back[4:] == value[4:] and np.isnan(back[3])


def test_anything_else_is_named_not_carried():
    class Sub(np.ndarray):
        pass

    class Equal:
        def __eq__(self, other):
            return True

    back = wire.decode(
        wire.encode(
            {
                "subclass": np.zeros(2).view(Sub),
                "objects": np.array([Equal(), Equal()], dtype=object),
                "function": len,
                "keys": {1: "not a str key"},
                "bytes": b"raw",
                "set": {1, 2},
            }
        )
    )
    kinds = {name: value.kind for name, value in back.items()}
    assert kinds == {
        "subclass": "Sub (a subclass of ndarray)",
        "objects": "ndarray of dtype object",
        "function": "builtin_function_or_method",
        "keys": "dict with keys that are not strings",
        "bytes": "bytes",
        "set": "set",
    }


def test_a_cycle_stops_at_the_depth_limit():
    cycle: list = []
    cycle.append(cycle)
    back = wire.decode(wire.encode(cycle))
    for _ in range(wire.MAX_DEPTH):
        back = back[0]
    assert isinstance(back, wire.Unsupported)


def test_layers_travel_by_name_and_attributes_and_references_resolve():
    softmax = Softmax()
    softmax.cache = np.ones((2, 3))
    data = wire.Encoder(LAYERS, lambda obj: (7, False)).encode([softmax])
    [layer] = wire.decode(data)
    assert (layer.name, layer.handle, layer.is_ref) == ("Softmax", 7, False)
    assert np.array_equal(layer.state["cache"], softmax.cache)
    ref = wire.decode(wire.Encoder(LAYERS, lambda obj: (7, True)).encode(softmax))
    assert ref.is_ref and ref.handle == 7 and ref.state == {}


@pytest.mark.parametrize(
    "data, problem",
    [
        (b"", "truncated"),
        (b"Q", "unknown tag"),
        (b"N!", "trailing bytes"),
        (b"S\xff\xff\xff\x7f", "truncated"),
        (b"L\xff\xff\x00\x00", "more items than the message holds"),
        (b"M\x01\x00\x00\x00I" + bytes(8) + b"N", "not a string"),
        (b"A" + b"\x03\x00\x00\x00|O8" + b"\x00" + bytes(8), "not allowed"),
        (b"A\x03\x00\x00\x00<f8\x01" + (5).to_bytes(8, "little") + bytes(8), "shape"),
        (b"J\x03\x00\x00\x001e5", "malformed integer"),
        (b"L\x01\x00\x00\x00" * 100 + b"N", "nested too deeply"),
        (b"O\x07\x00\x00\x00Softmax" + bytes(8) + b"N", "without its attributes"),
    ],
)
def test_malformed_bytes_are_refused_in_words(data, problem):
    with pytest.raises(wire.WireError, match=problem):
        wire.decode(data)


@settings(max_examples=400, derandomize=True)
@given(st.binary(max_size=200))
def test_random_bytes_decode_or_raise_wire_error_only(data):
    try:
        wire.decode(data)
    except wire.WireError:
        pass


@settings(max_examples=300, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(values, st.data())
def test_a_corrupted_message_decodes_or_raises_wire_error_only(value, data):
    encoded = bytearray(wire.encode(value))
    if encoded:
        index = data.draw(st.integers(0, len(encoded) - 1))
        encoded[index] = data.draw(st.integers(0, 255))
    try:
        wire.decode(bytes(encoded))
    except wire.WireError:
        pass


def test_frames_past_the_limit_or_cut_short_are_refused():
    ours, theirs = socket.socketpair()
    with ours, theirs:
        theirs.sendall((2**40).to_bytes(8, "little"))
        with pytest.raises(wire.WireError, match="more than"):
            wire.receive(ours, limit=1024)
        theirs.sendall((10).to_bytes(8, "little") + b"abc")
        theirs.close()
        with pytest.raises(wire.WireError, match="closed"):
            wire.receive(ours)
