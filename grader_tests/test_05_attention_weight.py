"""Hidden tests of lesson 05, the AttentionWeight layer.

Called from the hidden regions of `solutions/05_attention_weight.ipynb`; the reference
answers are that notebook's own solution cells. The forward and the backward function are
separate exercises: the backward one is always fed the reference forward's cache, so a
wrong forward pass costs its own points only.
"""

import weakref

import numpy as np

from grader_tests.grading import (
    Exercise,
    expect_finite,
    expect_match,
    expect_results,
    random_sizes,
)
from grader_tests.layer_checks import call_own_data, expect_cached_gradients_ok, expect_not_shaped
from rnnlab import softmax as softmax_function
from rnnlab.layers import Softmax
from rnnlab.testing import CheckFailed, expect_close, expect_unchanged

LESSON = "05_attention_weight"

FORWARD = Exercise(LESSON, "attention_weight_forward", points=2)
BACKWARD = Exercise(
    LESSON, "attention_weight_backward", points=3, helpers=("attention_weight_forward",)
)
EXERCISES = (FORWARD, BACKWARD)

EDGE_SIZES = ({"T": 1}, {"H": 1}, {"N": 1})


def _case(seed: int, scale: float = 1.0, **fixed) -> tuple:
    """hs (N, T, H), h (N, H) and da (N, T); sizes all different unless fixed."""
    rng = np.random.default_rng(seed)
    sizes = {**random_sizes(rng, "N T H"), **fixed}
    N, T, H = sizes["N"], sizes["T"], sizes["H"]
    hs = scale * rng.standard_normal((N, T, H))
    h = scale * rng.standard_normal((N, H))
    return hs, h, rng.standard_normal((N, T))


def _naive_softmax(s):
    exp = np.exp(s)
    return exp / exp.sum(axis=-1, keepdims=True)


class _CountingSoftmax(Softmax):
    """A Softmax layer that counts the calls of its backward.

    The count is kept outside the layer's attributes: those cross the wire and come back
    as the student's code left them, so an attribute `backward_calls = 1` set in the
    sandbox must not count as a call.
    """

    _counts: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()

    @property
    def backward_calls(self) -> int:
        return self._counts.get(self, 0)

    def backward(self, dy):
        self._counts[self] = self.backward_calls + 1
        return super().backward(dy)

    def remote_calls(self, calls: dict) -> None:
        """The calls the layer got in the sandbox, where it was a plain Softmax."""
        self._counts[self] = self.backward_calls + calls.get("backward", 0)


# --- forward ---------------------------------------------------------------------------


def _check_forward(attention_weight_forward, ref, hs, h) -> tuple:
    """Values of a on copies of hs and h; returns (a, cache, the softmax layer given)."""
    softmax = Softmax()
    arguments = (hs.copy(), h.copy(), softmax)  # in-place changes: see _forward_pure
    source = "its arguments hs, h and softmax"
    outputs = call_own_data(attention_weight_forward, source, *arguments)
    a, cache = expect_results("attention_weight_forward", outputs, ("a", "cache"))
    N, T, H = hs.shape
    expect_not_shaped(
        "a",
        a,
        (N, T),
        {
            (N, H): "the scores are summed over time (axis=1), not the hidden axis (axis=2)",
            (T, N): "a is time-major (T, N); the course uses (N, T)",
            (N, T, H): "the products hs * h are not summed over the hidden axis (axis=2)",
        },
    )
    s = np.einsum("nth,nh->nt", hs, h)
    mistakes = {
        "softmax taken over the batch axis (axis 0) instead of over time": softmax_function(
            s, axis=0
        ),
        "the scores are not passed through the softmax": s,
        "the scores are divided by sqrt(H) (scaled dot product); this lesson uses the plain "
        "dot product hs[n, t] . h[n]": softmax_function(s / np.sqrt(H)),
        "the max is not subtracted before np.exp, so exp overflows: use the Softmax layer": (
            _naive_softmax(s)
        ),
    }
    expected = ref.attention_weight_forward(hs, h, Softmax())[0]
    expect_match("a", a, expected, mistakes)
    return a, cache, softmax


FORWARD_CASE = FORWARD.public("N, T, H all different", _check_forward,
                              lambda: _case(61)[:2])  # fmt: skip
LARGE_FORWARD_CASE = FORWARD.public("large scores (hs and h around 30)", _check_forward,
                                    lambda: _case(66, scale=30.0)[:2])  # fmt: skip


@FORWARD.part("a (N, T) on random sizes: scores hs . h, softmax over time", weight=2)
def _forward_values(attention_weight_forward, ref):
    FORWARD_CASE.run(attention_weight_forward, ref)
    hs, h, _ = _case(62)
    _check_forward(attention_weight_forward, ref, hs, h)


@FORWARD.part("edge sizes (T = 1, H = 1, N = 1) and large scores (a stays finite)")
def _forward_edges(attention_weight_forward, ref):
    for seed, fixed in enumerate(EDGE_SIZES, start=63):
        hs, h, _ = _case(seed, **fixed)
        _check_forward(attention_weight_forward, ref, hs, h)
    a, _, _ = LARGE_FORWARD_CASE.run(attention_weight_forward, ref)
    expect_finite("a", a)


@FORWARD.part("cache = (hs, h, softmax), with the softmax layer given after its forward")
def _forward_cache(attention_weight_forward, ref):
    hs, h, _ = _case(67)
    a, cache, softmax = _check_forward(attention_weight_forward, ref, hs, h)
    if not isinstance(cache, (tuple, list)) or len(cache) != 3:
        raise CheckFailed("cache should hold three values, (hs, h, softmax)")
    if np.shape(cache[1]) == hs.shape:
        raise CheckFailed(
            f"cache[1] should be h, shape {h.shape}, but has shape {hs.shape}: you cached the "
            "repeated decoder state. Cache h itself: the copy costs N*T*H numbers of memory"
        )
    expect_close("cache[0] (hs)", cache[0], hs)
    expect_close("cache[1] (h)", cache[1], h)
    if cache[2] is not softmax:
        made = ", not a new one" if isinstance(cache[2], Softmax) else ""
        raise CheckFailed(
            "cache[2] should be the softmax layer you were given (the AttentionWeight "
            f"layer's own Softmax){made}: compute a = softmax.forward(s) with the argument"
        )
    if softmax.cache is None:
        raise CheckFailed(
            "a is right but the softmax layer you were given was not run: compute "
            "a = softmax.forward(s), so that softmax.backward has the a it needs"
        )
    expect_close("softmax.cache (the a your softmax layer cached)", softmax.cache, a)


@FORWARD.part("the inputs hs and h are not modified")
def _forward_pure(attention_weight_forward, ref):
    hs, h, _ = _case(68)
    before = {"hs": hs.copy(), "h": h.copy()}
    attention_weight_forward(hs, h, Softmax())
    expect_unchanged("hs", before["hs"], hs)
    expect_unchanged("h", before["h"], h)


# --- backward --------------------------------------------------------------------------


def _call_backward(attention_weight_backward, da, cache):
    try:
        return call_own_data(attention_weight_backward, "cache", da, cache)
    except Exception as error:  # from the sandbox, NotRunError comes back as an Exception
        if "before Softmax.forward" not in str(error):
            raise
        raise CheckFailed(
            "attention_weight_backward used a Softmax layer whose forward never ran (its "
            "cache is None): take the softmax layer from cache, the one that computed a"
        ) from None


def _check_backward(attention_weight_backward, ref, hs, h, da) -> None:
    cache = ref.attention_weight_forward(hs, h, Softmax())[1]
    a = cache[2].cache
    expected_dhs, expected_dh = ref.attention_weight_backward(da, cache)
    copies = (hs.copy(), h.copy(), cache[2])  # in-place changes: see _backward_pure
    outputs = _call_backward(attention_weight_backward, da.copy(), copies)
    dhs, dh = expect_results("attention_weight_backward", outputs, ("dhs", "dh"))
    N, T, H = hs.shape
    if np.shape(dhs) == (N, H) and np.shape(dh) == (N, T, H):
        raise CheckFailed("attention_weight_backward returned (dh, dhs): return dhs first")

    def through(ds):
        return ds[:, :, None] * h[:, None, :], np.sum(ds[:, :, None] * hs, axis=1)

    ds = a * (da - np.sum(a * da, axis=1, keepdims=True))
    half, skipped = through(a * da), through(da)
    missing = "the softmax backward misses the term -a * sum(a * da) (ds = a * da)"
    expect_not_shaped(
        "dhs",
        dhs,
        (N, T, H),
        {(N, T): "ds is not broadcast over the hidden axis: dhs[n, t] = ds[n, t] * h[n]"},
    )
    expect_match(
        "dhs",
        dhs,
        expected_dhs,
        {
            missing: half[0],
            "the softmax backward is skipped (ds = da)": skipped[0],
            "dhs is ds * hs instead of ds * h (d(hs . h) / dhs is h)": ds[:, :, None] * hs,
        },
    )
    expect_not_shaped(
        "dh",
        dh,
        (N, H),
        {
            (N, T): "dh is summed over the hidden axis (axis=2); dh[n] sums ds[n, t] * hs[n, t] "
            "over time (axis=1)",
            (T, H): "dh is summed over the batch (axis=0) instead of over time (axis=1)",
            (N, T, H): "dh is not summed over time (axis=1)",
        },
    )
    expect_match(
        "dh",
        dh,
        expected_dh,
        {missing: half[1], "the softmax backward is skipped (ds = da)": skipped[1]},
    )


BACKWARD_CASE = BACKWARD.public("N, T, H all different", _check_backward, lambda: _case(71))


@BACKWARD.part("dhs (N, T, H) and dh (N, H) on random sizes, against the reference", weight=2)
def _backward_values(attention_weight_backward, ref):
    BACKWARD_CASE.run(attention_weight_backward, ref)
    _check_backward(attention_weight_backward, ref, *_case(72))


def _check_numerically(attention_weight_backward, ref, hs, h, da) -> None:
    def forward(hs, h):
        return ref.attention_weight_forward(hs, h, Softmax())

    inputs = {"hs": hs, "h": h}
    expect_cached_gradients_ok(forward, attention_weight_backward, inputs, da)


@BACKWARD.part("numerical gradients (rnnlab.gradcheck) for T = 1, H = 1 and N = 1")
def _backward_numerical(attention_weight_backward, ref):
    for seed, fixed in enumerate(EDGE_SIZES, start=73):
        case = _case(seed, **fixed)
        _check_backward(attention_weight_backward, ref, *case)
        _check_numerically(attention_weight_backward, ref, *case)


@BACKWARD.part("goes back through the softmax layer in cache (softmax.backward)")
def _backward_softmax_layer(attention_weight_backward, ref):
    hs, h, da = _case(76)
    softmax = _CountingSoftmax()
    cache = ref.attention_weight_forward(hs, h, softmax)[1]
    _call_backward(attention_weight_backward, da, cache)
    if softmax.backward_calls == 0:
        raise CheckFailed(
            "attention_weight_backward never called softmax.backward(da) on the softmax layer "
            "in cache: that layer cached a in the forward pass; recomputing the softmax (or "
            "its backward) from global functions repeats its work and bypasses the layer"
        )


@BACKWARD.part("uses the last forward pass: forward A, forward B, backward gives B's gradients")
def _backward_last_call(attention_weight_backward, ref):
    (hs_a, h_a, da_a), (hs_b, h_b, da_b) = _case(77), _case(78)
    shared = Softmax()  # one layer, two calls: as the AttentionWeight layer does
    ref.attention_weight_forward(hs_a, h_a, shared)
    cache_b = ref.attention_weight_forward(hs_b, h_b, shared)[1]
    expected = ref.attention_weight_backward(da_b, cache_b)
    dhs, dh = _call_backward(attention_weight_backward, da_b, cache_b)
    expect_close("dhs (backward after forward A, forward B)", dhs, expected[0])
    expect_close("dh (backward after forward A, forward B)", dh, expected[1])
    own = Softmax()  # a cache made earlier with its own softmax layer still works
    cache_a = ref.attention_weight_forward(hs_a, h_a, own)[1]
    ref.attention_weight_forward(hs_b, h_b, Softmax())
    dhs, dh = _call_backward(attention_weight_backward, da_a, cache_a)
    expected = ref.attention_weight_backward(da_a, cache_a)
    expect_close("dhs (backward of A, from its own cache)", dhs, expected[0])
    expect_close("dh (backward of A, from its own cache)", dh, expected[1])


@BACKWARD.part("da, the cached hs and h, and the softmax layer's cache are not modified")
def _backward_pure(attention_weight_backward, ref):
    hs, h, da = _case(79)
    cache = ref.attention_weight_forward(hs, h, Softmax())
    softmax = cache[1][2]
    before = {"da": da.copy(), "hs": hs.copy(), "h": h.copy(), "softmax.cache": cache[0].copy()}
    _call_backward(attention_weight_backward, da, cache[1])
    after = {"da": da, "hs": hs, "h": h, "softmax.cache": softmax.cache}
    for name, value in after.items():
        expect_unchanged(name, before[name], value)

