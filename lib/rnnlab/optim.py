"""Gradient clipping by global norm and the Adam optimiser, both updating arrays in place."""

import numpy as np


def clip_grad_norm(grads: list, max_norm: float) -> float:
    """Scale all arrays of `grads` by one factor so their global L2 norm is at most max_norm.

    grads: list of arrays of any shapes, changed in place. Returns the norm before clipping.
    """
    norm = float(np.sqrt(sum(np.vdot(g, g) for g in grads)))
    if norm > max_norm:
        for g in grads:
            g *= max_norm / norm
    return norm


class Adam:
    """Adam (Kingma and Ba, 2015): per-element steps from running moments of the gradient.

    update(params, grads) changes every array of `params` in place by
    -lr * m_hat / (sqrt(v_hat) + eps), where m, v are running means of g and g^2 with
    decay rates beta1, beta2 and the hats correct their bias towards 0 in the first steps
    (computed in the paper's cheaper form, with both corrections folded into the step size).
    params, grads: lists of arrays of matching shapes, the same list order on every call;
    the moments are kept in the params' dtype.
    """

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.m, self.v, self.steps = None, None, 0

    def update(self, params: list, grads: list) -> None:
        if self.m is None:
            self.m = [np.zeros_like(p) for p in params]
            self.v = [np.zeros_like(p) for p in params]
        self.steps += 1
        step = self.lr * np.sqrt(1 - self.beta2**self.steps) / (1 - self.beta1**self.steps)
        for p, g, m, v in zip(params, grads, self.m, self.v, strict=True):
            m *= self.beta1
            m += (1 - self.beta1) * g
            v *= self.beta2
            v += (1 - self.beta2) * (g * g)
            p -= step * m / (np.sqrt(v) + self.eps)
