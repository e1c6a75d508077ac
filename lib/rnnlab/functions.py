"""Elementwise and normalising functions shared by the lessons."""

import numpy as np


def softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    """Numerically stable softmax along `axis`.

    z: (..., K) scores (any shape). Returns an array of z's shape whose slices along `axis`
    are positive and sum to 1. The max is subtracted first, so large scores cannot overflow.
    """
    shifted = z - np.max(z, axis=axis, keepdims=True)
    exp = np.exp(shifted)
    return exp / np.sum(exp, axis=axis, keepdims=True)


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Logistic function 1 / (1 + exp(-z)), elementwise, without overflow.

    z: any shape. Returns an array of the same shape with values in [0, 1]. Computed as
    exp(-log(1 + exp(-z))) with np.logaddexp, which is accurate for large |z| too.
    """
    return np.exp(-np.logaddexp(0.0, -z))
