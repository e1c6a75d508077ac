"""The public cases of a lesson on disk: `rnnlab/data/public/<lesson>.wire`.

One file per lesson, written by `python -m instructor.release` from the hidden tests and
the reference solutions, read by the visible checks. It holds plain data only, in
autograde.wire's encoding (no pickle, no code): a dict {exercise name: spec} with

    number       the exercise's number in its lesson (1, 2, ...)
    helpers      the notebook's functions the exercise calls (not graded with it)
    not_allowed  course-library objects that would do its work, "module.name"
    calls        the public calls, each a dict: label, args, kwargs, arg_names, expected,
                 labels (names of several returned values), names, mistakes, shapes,
                 tolerance (see rnnlab.checks.compare), own_data (the arguments the
                 function must take its data from, or None)
"""

from functools import cache
from pathlib import Path

from autograde import wire
from autograde.layers import BY_NAME, LAYERS

FOLDER = Path(__file__).resolve().parent.parent / "data" / "public"


def encode(specs: dict) -> bytes:
    """The bytes of {exercise: spec}; layers numbered in order met, so equal specs give
    equal bytes."""
    numbers: dict = {}

    def handle_of(layer) -> tuple:
        return numbers.setdefault(id(layer), len(numbers) + 1), False

    return wire.Encoder(LAYERS, handle_of).encode(specs)


def _layer(layer: wire.Layer):
    """A layer of the course library rebuilt from its attributes."""
    if layer.name not in BY_NAME:
        raise wire.WireError(f"unknown layer {layer.name!r}")
    obj = BY_NAME[layer.name].__new__(BY_NAME[layer.name])
    obj.__dict__.update(layer.state)
    return obj


def decode(data: bytes) -> dict:
    return wire.decode(data, _layer)


@cache
def _files() -> dict:
    """{exercise name: bytes of its lesson's file} over every lesson."""
    found = {}
    for path in sorted(FOLDER.glob("*.wire")):
        data = path.read_bytes()
        found.update(dict.fromkeys(decode(data), data))
    return found


def exercise(name: str) -> dict:
    """The spec of exercise `name`, decoded afresh (its layers are new objects)."""
    if name not in _files():
        raise KeyError(f"no public cases for an exercise named {name!r}")
    return decode(_files()[name])[name]
