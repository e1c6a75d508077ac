"""Catalog of answers for lesson 04: mistakes students make, and correct variants."""

from grader_tests.catalog import Answer

FORWARD = [
    Answer(
        "weight_sum_forward",
        "summed over the hidden axis",
        """
def weight_sum_forward(hs, a):
    c = np.sum(a[:, :, np.newaxis] * hs, axis=2)
    return c, (hs, a)
""",
        diagnostic="summed over the hidden axis (axis=2) instead of over time",
    ),
    Answer(
        "weight_sum_forward",
        "mean over time",
        """
def weight_sum_forward(hs, a):
    c = np.mean(a[:, :, np.newaxis] * hs, axis=1)
    return c, (hs, a)
""",
        diagnostic="averaged over time (np.mean)",
    ),
    Answer(
        "weight_sum_forward",
        "unbatched a @ hs",
        """
def weight_sum_forward(hs, a):
    c = a @ hs
    return c, (hs, a)
""",
        diagnostic="a @ hs pairs every row of a with every sequence",
    ),
    Answer(
        "weight_sum_forward",
        "weights ignored",
        """
def weight_sum_forward(hs, a):
    return hs.sum(axis=1), (hs, a)
""",
        diagnostic="the weights a are not used",
    ),
    Answer(
        "weight_sum_forward",
        "repeated weights cached",
        """
def weight_sum_forward(hs, a):
    N, T, H = hs.shape
    ar = a.reshape(N, T, 1).repeat(H, axis=2)
    c = np.sum(hs * ar, axis=1)
    return c, (hs, ar)
""",
        diagnostic="you cached the repeated weights",
    ),
    Answer(
        "weight_sum_forward",
        "weighting done in place on hs",
        """
def weight_sum_forward(hs, a):
    hs *= a[:, :, np.newaxis]
    c = hs.sum(axis=1)
    return c, (hs, a)
""",
        diagnostic="changed its input 'hs' in place",
    ),
    Answer(
        "weight_sum_forward",
        "cache in the wrong order",
        """
def weight_sum_forward(hs, a):
    c = np.sum(a[..., None] * hs, axis=1)
    return c, (a, hs)
""",
        diagnostic="cache holds (a, hs)",
    ),
    Answer(
        "weight_sum_forward",
        "einsum forward",
        """
def weight_sum_forward(hs, a):
    \"\"\"hs: (N, T, H), a: (N, T) -> c: (N, H), cache = (hs, a).\"\"\"
    return np.einsum("nt,nth->nh", a, hs), (hs, a)
""",
    ),
    Answer(
        "weight_sum_forward",
        "batched matmul forward",
        """
def weight_sum_forward(hs, a):
    c = (a[:, np.newaxis, :] @ hs)[:, 0, :]
    return c, (hs, a)
""",
    ),
    Answer(
        "weight_sum_forward",
        "repeat and multiply, caching a",
        """
def weight_sum_forward(hs, a):
    N, T, H = hs.shape
    ar = a.reshape(N, T, 1).repeat(H, axis=2)
    t = hs * ar
    c = np.sum(t, axis=1)
    cache = (hs, a)
    return c, cache
""",
    ),
    Answer(
        "weight_sum_forward",
        "loop over time",
        """
def weight_sum_forward(hs, a):
    N, T, H = hs.shape
    c = np.zeros((N, H))
    for t in range(T):
        c += a[:, t:t + 1] * hs[:, t, :]
    return c, (hs, a)
""",
    ),
]

BACKWARD = [
    Answer(
        "weight_sum_backward",
        "da summed over time",
        """
def weight_sum_backward(dc, cache):
    hs, a = cache
    dhs = a[:, :, np.newaxis] * dc[:, np.newaxis, :]
    da = np.sum(hs * dc[:, np.newaxis, :], axis=1)
    return dhs, da
""",
        diagnostic="da is summed over time (axis=1)",
    ),
    Answer(
        "weight_sum_backward",
        "dhs not broadcast",
        """
def weight_sum_backward(dc, cache):
    hs, a = cache
    dhs = dc
    da = np.sum(hs * dc[:, np.newaxis, :], axis=2)
    return dhs, da
""",
        diagnostic="dc is not broadcast over the T time steps",
    ),
    Answer(
        "weight_sum_backward",
        "dhs without the weights",
        """
def weight_sum_backward(dc, cache):
    hs, a = cache
    N, T, H = hs.shape
    dhs = dc.reshape(N, 1, H).repeat(T, axis=1)
    da = np.sum(dhs * hs, axis=2)
    return dhs, da
""",
        diagnostic="not multiplied by the weights a",
    ),
    Answer(
        "weight_sum_backward",
        "da not summed",
        """
def weight_sum_backward(dc, cache):
    hs, a = cache
    dhs = a[:, :, np.newaxis] * dc[:, np.newaxis, :]
    da = hs * dc[:, np.newaxis, :]
    return dhs, da
""",
        diagnostic="da is not summed over the hidden axis",
    ),
    Answer(
        "weight_sum_backward",
        "gradients returned as (da, dhs)",
        """
def weight_sum_backward(dc, cache):
    hs, a = cache
    dhs = a[:, :, np.newaxis] * dc[:, np.newaxis, :]
    da = np.sum(hs * dc[:, np.newaxis, :], axis=2)
    return da, dhs
""",
        diagnostic="return dhs first",
    ),
    Answer(
        "weight_sum_backward",
        "reads hs and a from the notebook",
        """
def weight_sum_backward(dc, cache):
    dhs = a[:, :, np.newaxis] * dc[:, np.newaxis, :]
    da = np.sum(hs * dc[:, np.newaxis, :], axis=2)
    return dhs, da
""",
        diagnostic="uses the global name 'a', 'hs' instead of taking it from cache",
    ),
    Answer(
        "weight_sum_backward",
        "da computed from dhs",
        """
def weight_sum_backward(dc, cache):
    hs, a = cache
    dhs = a[:, :, np.newaxis] * dc[:, np.newaxis, :]
    da = np.sum(dhs * hs, axis=2)
    return dhs, da
""",
        diagnostic="da is multiplied by a as well",
    ),
    Answer(
        "weight_sum_backward",
        "einsum backward",
        """
def weight_sum_backward(dc, cache):
    \"\"\"dc: (N, H), cache = (hs, a) -> dhs: (N, T, H), da: (N, T).\"\"\"
    hs, a = cache
    return np.einsum("nt,nh->nth", a, dc), np.einsum("nth,nh->nt", hs, dc)
""",
    ),
    Answer(
        "weight_sum_backward",
        "repeat and multiply backward",
        """
def weight_sum_backward(dc, cache):
    hs, a = cache
    N, T, H = hs.shape
    dt = dc.reshape(N, 1, H).repeat(T, axis=1)
    ar = a.reshape(N, T, 1).repeat(H, axis=2)
    return dt * ar, np.sum(dt * hs, axis=2)
""",
    ),
    Answer(
        "weight_sum_backward",
        "batched matmul backward",
        """
def weight_sum_backward(dc, cache):
    hs, a = cache
    dhs = a[:, :, None] @ dc[:, None, :]
    da = (hs @ dc[:, :, None])[:, :, 0]
    return dhs, da
""",
    ),
]

SEQUENCE_TYPES = [
    Answer(
        "weight_sum_forward",
        "cache as a list",
        """
def weight_sum_forward(hs, a):
    c = np.sum(a[:, :, np.newaxis] * hs, axis=1)
    return c, [hs, a]
""",
    ),
    Answer(
        "weight_sum_backward",
        "gradients returned as a list",
        """
def weight_sum_backward(dc, cache):
    hs, a = cache
    dhs = a[:, :, np.newaxis] * dc[:, np.newaxis, :]
    return [dhs, np.sum(hs * dc[:, np.newaxis, :], axis=2)]
""",
    ),
]

ANSWERS = FORWARD + BACKWARD + SEQUENCE_TYPES
