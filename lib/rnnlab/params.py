"""Random parameters in the course's shape convention, for examples and tests."""

import numpy as np


def rnn_params(rng: np.random.Generator, D: int, H: int, V: int, scale: float = 0.5) -> dict:
    """Parameters of an RNN with an output layer.

    Returns W_x: (D, H), W_h: (H, H), b: (H,), W_y: (H, V), b_y: (V,), drawn from
    N(0, scale^2) with the given generator, so a seeded `rng` gives the same values.
    """
    shapes = {"W_x": (D, H), "W_h": (H, H), "b": (H,), "W_y": (H, V), "b_y": (V,)}
    return {name: scale * rng.standard_normal(shape) for name, shape in shapes.items()}


LSTM_GATES = ("f", "i", "o", "g")


def lstm_params(
    rng: np.random.Generator,
    D: int,
    H: int,
    kind: int = 1,
    V: int | None = None,
    scale: float = 0.5,
) -> dict:
    """Parameters of an LSTM layer, type 1 (standard) or type 2 (gates read the cell state).

    For each of the forget gate f, input gate i, output gate o and candidate g:
    W_<k>: (D, H), U_<k>: (H, H), b_<k>: (H,). Type 2's candidate has no recurrent term, so
    kind=2 has no U_g. With V given, also the output layer W_y: (H, V), b_y: (V,).
    Drawn from N(0, scale^2) in a fixed order, so a seeded `rng` gives the same values.
    """
    if kind not in (1, 2):
        raise ValueError(f"kind should be 1 (standard LSTM) or 2 (gates read c), not {kind!r}")
    shapes = {}
    for gate in LSTM_GATES:
        shapes[f"W_{gate}"] = (D, H)
        if not (kind == 2 and gate == "g"):
            shapes[f"U_{gate}"] = (H, H)
        shapes[f"b_{gate}"] = (H,)
    if V is not None:
        shapes.update({"W_y": (H, V), "b_y": (V,)})
    return {name: scale * rng.standard_normal(shape) for name, shape in shapes.items()}
