"""Names of a notebook's namespace swapped for the length of a block, on either side."""

import contextlib

_MISSING = object()


@contextlib.contextmanager
def replaced(namespace: dict, values: dict):
    """During the block, namespace[name] is values[name]; afterwards each name is as it
    was (removed again if it was not there)."""
    saved = {name: namespace.get(name, _MISSING) for name in values}
    namespace.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is _MISSING:
                namespace.pop(name, None)
            else:
                namespace[name] = value
