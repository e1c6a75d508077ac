"""rnnlab: the helper library of the course on recurrent networks and attention.

Shape convention for the whole course: batch first, row vectors.

    x: (N, T, D)   N sequences, T time steps, D input features
    h: (N, T, H)   hidden states;  W_x: (D, H), W_h: (H, H), b: (H,)
    y: (N, T, V)   softmax outputs over V classes;  W_y: (H, V), b_y: (V,)

A step computes `x_t @ W_x + h_prev @ W_h + b`, so weights map "from" (rows) "to" (columns).
"""

from rnnlab.functions import sigmoid, softmax
from rnnlab.shapes import ShapeError, check_shapes

__all__ = ["ShapeError", "check_shapes", "sigmoid", "softmax"]
