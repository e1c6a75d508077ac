"""Shape checks that name the argument, the expected and the actual shape.

NumPy reports a mismatch deep inside an expression ("matmul: Input operand 1 has a
mismatch in its core dimension 0 ..."), which leaves you to work out which argument was
wrong. `check_shapes` tests every argument against a symbolic shape first:

    check_shapes(x_t=(x_t, "N D"), h_prev=(h_prev, "N H"), W_x=(W_x, "D H"))

Symbols are bound by the first argument that uses them, so every later use must agree.
Integers in a spec are fixed sizes.
"""

import numpy as np


class ShapeError(ValueError):
    """An argument's shape does not match what the function expects."""


def _parse(spec) -> tuple:
    if isinstance(spec, str):
        return tuple(int(s) if s.isdigit() else s for s in spec.split())
    return tuple(spec)


def _describe(dims: tuple, sizes: dict) -> str:
    named = ", ".join(str(d) for d in dims)
    numbers = ", ".join(str(sizes.get(d, "?")) if isinstance(d, str) else str(d) for d in dims)
    trailing = "," if len(dims) == 1 else ""
    if named == numbers:
        return f"({numbers}{trailing})"
    return f"({named}{trailing}) = ({numbers}{trailing})"


def _hint(actual: tuple, dims: tuple, sizes: dict) -> str:
    expected = tuple(sizes.get(d) if isinstance(d, str) else d for d in dims)
    if None not in expected and len(actual) == 2 and actual[::-1] == expected:
        return " It looks transposed: use .T or swap the operands."
    if None not in expected and len(actual) != len(expected):
        return f" It has {len(actual)} axes instead of {len(expected)}."
    return ""


def _bind(dims: tuple, actual: tuple, sizes: dict) -> bool:
    """Bind unbound symbols of `dims` to `actual`; False if the shape does not fit."""
    if len(actual) != len(dims):
        return False
    return all(
        sizes.setdefault(d, n) == n if isinstance(d, str) else d == n
        for d, n in zip(dims, actual, strict=True)
    )


def check_shapes(**arguments) -> dict:
    """Check each `name=(array, spec)`; return the bound sizes, e.g. {"N": 4, "D": 3}.

    spec: a string like "N T D" or a tuple like ("N", 3). Raises ShapeError naming the
    first argument whose shape does not fit, with the expected and the actual shape.
    """
    sizes: dict = {}
    items = [(name, array, _parse(spec)) for name, (array, spec) in arguments.items()]
    for position, (name, array, dims) in enumerate(items):
        actual = np.shape(array)
        before = dict(sizes)
        if _bind(dims, actual, sizes):
            continue
        for _, other, other_dims in items[position + 1 :]:
            _bind(other_dims, np.shape(other), before)  # learn sizes the message can show
        raise ShapeError(
            f"argument '{name}' should have shape {_describe(dims, before)} "
            f"but has shape {actual}.{_hint(actual, dims, before)}"
        )
    return sizes
