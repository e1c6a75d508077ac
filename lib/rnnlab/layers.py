"""Layers with the course's one interface.

Every layer has
    params: list of its parameter arrays (empty for a layer without weights),
    grads:  list of arrays shaped like params, filled by backward,
    forward(*inputs) -> output, caching what backward needs,
    backward(dout) -> the gradient of each input (a tuple when there are several).
backward uses only what the last forward cached and never changes its arguments.
"""

import numpy as np

from rnnlab.functions import softmax


class Softmax:
    """Softmax over the last axis. x: (..., K) -> y: (..., K)."""

    def __init__(self):
        self.params, self.grads = [], []
        self.cache = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        y = softmax(x)
        self.cache = y
        return y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        """dy: (..., K) -> dx: (..., K), with dx = y * (dy - sum(dy * y)) along the last axis."""
        y = self.cache
        return y * (dy - np.sum(dy * y, axis=-1, keepdims=True))
