"""Random parameters in the course's shape convention, for examples and tests."""

import numpy as np


def rnn_params(rng: np.random.Generator, D: int, H: int, V: int, scale: float = 0.5) -> dict:
    """Parameters of an RNN with an output layer.

    Returns W_x: (D, H), W_h: (H, H), b: (H,), W_y: (H, V), b_y: (V,), drawn from
    N(0, scale^2) with the given generator, so a seeded `rng` gives the same values.
    """
    shapes = {"W_x": (D, H), "W_h": (H, H), "b": (H,), "W_y": (H, V), "b_y": (V,)}
    return {name: scale * rng.standard_normal(shape) for name, shape in shapes.items()}
