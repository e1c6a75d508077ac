"""Catalog of answers for lesson 05: mistakes students make, and correct variants."""

from grader_tests.catalog import Answer

FORWARD = [
    Answer(
        "attention_weight_forward",
        "softmax over the batch axis",
        """
def attention_weight_forward(hs, h, softmax):
    s = np.einsum("nth,nh->tn", hs, h)  # time-major scores
    a = softmax.forward(s).T
    return a, (hs, h, softmax)
""",
        diagnostic="softmax taken over the batch axis",
    ),
    Answer(
        "attention_weight_forward",
        "scores without softmax",
        """
def attention_weight_forward(hs, h, softmax):
    a = np.sum(hs * h[:, np.newaxis, :], axis=2)
    return a, (hs, h, softmax)
""",
        diagnostic="not passed through the softmax",
    ),
    Answer(
        "attention_weight_forward",
        "scores summed over time",
        """
def attention_weight_forward(hs, h, softmax):
    s = np.sum(hs * h[:, np.newaxis, :], axis=1)
    a = softmax.forward(s)
    return a, (hs, h, softmax)
""",
        diagnostic="summed over time (axis=1), not the hidden axis",
    ),
    Answer(
        "attention_weight_forward",
        "scaled dot product",
        """
def attention_weight_forward(hs, h, softmax):
    s = np.sum(hs * h[:, np.newaxis, :], axis=2) / np.sqrt(hs.shape[2])
    a = softmax.forward(s)
    return a, (hs, h, softmax)
""",
        diagnostic="divided by sqrt(H)",
    ),
    Answer(
        "attention_weight_forward",
        "softmax function instead of the layer",
        """
from rnnlab import softmax as softmax_function


def attention_weight_forward(hs, h, softmax):
    s = np.sum(hs * h[:, np.newaxis, :], axis=2)
    a = softmax_function(s)
    return a, (hs, h, softmax)
""",
        diagnostic="the softmax layer you were given was not run",
    ),
    Answer(
        "attention_weight_forward",
        "new Softmax layer inside forward",
        """
def attention_weight_forward(hs, h, softmax):
    layer = Softmax()
    a = layer.forward(np.sum(hs * h[:, np.newaxis, :], axis=2))
    return a, (hs, h, layer)
""",
        diagnostic="not a new one",
    ),
    Answer(
        "attention_weight_forward",
        "naive exponentials",
        """
def attention_weight_forward(hs, h, softmax):
    e = np.exp(np.sum(hs * h[:, np.newaxis, :], axis=2))
    a = e / e.sum(axis=1, keepdims=True)
    return a, (hs, h, softmax)
""",
        diagnostic="the max is not subtracted before np.exp",
    ),
    Answer(
        "attention_weight_forward",
        "repeated decoder state cached",
        """
def attention_weight_forward(hs, h, softmax):
    N, T, H = hs.shape
    hr = h.reshape(N, 1, H).repeat(T, axis=1)
    a = softmax.forward(np.sum(hs * hr, axis=2))
    return a, (hs, hr, softmax)
""",
        diagnostic="you cached the repeated decoder state",
    ),
    Answer(
        "attention_weight_forward",
        "einsum forward",
        """
def attention_weight_forward(hs, h, softmax):
    \"\"\"hs: (N, T, H), h: (N, H) -> a: (N, T), cache = (hs, h, softmax).\"\"\"
    return softmax.forward(np.einsum("nth,nh->nt", hs, h)), (hs, h, softmax)
""",
    ),
    Answer(
        "attention_weight_forward",
        "batched matmul forward",
        """
def attention_weight_forward(hs, h, softmax):
    s = (hs @ h[:, :, np.newaxis])[:, :, 0]
    a = softmax.forward(s)
    cache = (hs, h, softmax)
    return a, cache
""",
    ),
    Answer(
        "attention_weight_forward",
        "repeat and multiply, caching h",
        """
def attention_weight_forward(hs, h, softmax):
    N, T, H = hs.shape
    hr = h.reshape(N, 1, H).repeat(T, axis=1)
    t = hs * hr
    s = np.sum(t, axis=2)
    return softmax.forward(s), (hs, h, softmax)
""",
    ),
]

BACKWARD = [
    Answer(
        "attention_weight_backward",
        "softmax backward without the sum term",
        """
def attention_weight_backward(da, cache):
    hs, h, softmax = cache
    a = softmax.cache
    ds = a * da
    dhs = ds[:, :, np.newaxis] * h[:, np.newaxis, :]
    dh = np.sum(ds[:, :, np.newaxis] * hs, axis=1)
    return dhs, dh
""",
        diagnostic="misses the term -a * sum(a * da)",
    ),
    Answer(
        "attention_weight_backward",
        "softmax backward skipped",
        """
def attention_weight_backward(da, cache):
    hs, h, softmax = cache
    dhs = da[:, :, np.newaxis] * h[:, np.newaxis, :]
    dh = np.sum(da[:, :, np.newaxis] * hs, axis=1)
    return dhs, dh
""",
        diagnostic="the softmax backward is skipped",
    ),
    Answer(
        "attention_weight_backward",
        "dh summed over the hidden axis",
        """
def attention_weight_backward(da, cache):
    hs, h, softmax = cache
    ds = softmax.backward(da)
    dhs = ds[:, :, np.newaxis] * h[:, np.newaxis, :]
    dh = np.sum(ds[:, :, np.newaxis] * hs, axis=2)
    return dhs, dh
""",
        diagnostic="dh is summed over the hidden axis (axis=2)",
    ),
    Answer(
        "attention_weight_backward",
        "dhs from hs instead of h",
        """
def attention_weight_backward(da, cache):
    hs, h, softmax = cache
    ds = softmax.backward(da)
    dhs = ds[:, :, np.newaxis] * hs
    dh = np.sum(ds[:, :, np.newaxis] * hs, axis=1)
    return dhs, dh
""",
        diagnostic="dhs is ds * hs instead of ds * h",
    ),
    Answer(
        "attention_weight_backward",
        "global softmax layer",
        """
def attention_weight_backward(da, cache):
    hs, h, _ = cache
    ds = softmax_layer.backward(da)
    dhs = ds[:, :, np.newaxis] * h[:, np.newaxis, :]
    dh = np.sum(ds[:, :, np.newaxis] * hs, axis=1)
    return dhs, dh
""",
        diagnostic="uses the global name 'softmax_layer' instead of taking it from cache",
    ),
    Answer(
        "attention_weight_backward",
        "new Softmax layer in backward",
        """
def attention_weight_backward(da, cache):
    hs, h, _ = cache
    ds = Softmax().backward(da)
    dhs = ds[:, :, np.newaxis] * h[:, np.newaxis, :]
    dh = np.sum(ds[:, :, np.newaxis] * hs, axis=1)
    return dhs, dh
""",
        diagnostic="whose forward never ran",
    ),
    Answer(
        "attention_weight_backward",
        "softmax recomputed from a global function",
        """
from rnnlab import softmax as softmax_function


def attention_weight_backward(da, cache):
    hs, h, _ = cache
    a = softmax_function(np.sum(hs * h[:, np.newaxis, :], axis=2))
    ds = a * (da - np.sum(a * da, axis=1, keepdims=True))
    dhs = ds[:, :, np.newaxis] * h[:, np.newaxis, :]
    dh = np.sum(ds[:, :, np.newaxis] * hs, axis=1)
    return dhs, dh
""",
        diagnostic="never called softmax.backward(da)",
        hidden_only="right values: only the count of softmax.backward calls in the grader shows it",
    ),
    Answer(
        "attention_weight_backward",
        "gradients returned as (dh, dhs)",
        """
def attention_weight_backward(da, cache):
    hs, h, softmax = cache
    ds = softmax.backward(da)
    dhs = ds[:, :, np.newaxis] * h[:, np.newaxis, :]
    dh = np.sum(ds[:, :, np.newaxis] * hs, axis=1)
    return dh, dhs
""",
        diagnostic="return dhs first",
    ),
    Answer(
        "attention_weight_backward",
        "einsum backward",
        """
def attention_weight_backward(da, cache):
    \"\"\"da: (N, T), cache = (hs, h, softmax) -> dhs: (N, T, H), dh: (N, H).\"\"\"
    hs, h, softmax = cache
    ds = softmax.backward(da)
    return np.einsum("nt,nh->nth", ds, h), np.einsum("nt,nth->nh", ds, hs)
""",
    ),
    Answer(
        "attention_weight_backward",
        "repeat and multiply backward",
        """
def attention_weight_backward(da, cache):
    hs, h, softmax = cache
    N, T, H = hs.shape
    ds = softmax.backward(da)
    dt = ds.reshape(N, T, 1).repeat(H, axis=2)
    hr = h.reshape(N, 1, H).repeat(T, axis=1)
    return dt * hr, np.sum(dt * hs, axis=1)
""",
    ),
    Answer(
        "attention_weight_backward",
        "batched matmul backward",
        """
def attention_weight_backward(da, cache):
    hs, h, softmax = cache
    ds = softmax.backward(da)
    dhs = ds[:, :, None] @ h[:, None, :]
    dh = (ds[:, None, :] @ hs)[:, 0, :]
    return dhs, dh
""",
    ),
]

ANSWERS = FORWARD + BACKWARD
