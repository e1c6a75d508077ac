"""Hidden tests of lesson 04, the WeightSum layer.

Called from the hidden regions of `solutions/04_weightsum.ipynb`; the reference answers are
that notebook's own solution cells. The forward and the backward function are separate
exercises: the backward one is always fed the reference forward's cache, so a wrong forward
pass costs its own points only.
"""

import numpy as np

from grader_tests.grading import Exercise, expect_match, expect_results, random_sizes
from grader_tests.layer_checks import call_own_data, expect_cached_gradients_ok, expect_not_shaped
from rnnlab.testing import CheckFailed, expect_close, expect_unchanged

LESSON = "04_weightsum"

FORWARD = Exercise(LESSON, "weight_sum_forward", points=2)
BACKWARD = Exercise(LESSON, "weight_sum_backward", points=3, helpers=("weight_sum_forward",))
EXERCISES = (FORWARD, BACKWARD)


def _case(seed: int, **fixed) -> tuple:
    """hs (N, T, H), a (N, T) and dc (N, H); sizes all different unless fixed."""
    rng = np.random.default_rng(seed)
    sizes = {**random_sizes(rng, "N T H"), **fixed}
    N, T, H = sizes["N"], sizes["T"], sizes["H"]
    return rng.standard_normal((N, T, H)), rng.random((N, T)), rng.standard_normal((N, H))


EDGE_SIZES = ({"T": 1}, {"H": 1}, {"N": 1})


# --- forward ---------------------------------------------------------------------------


def _check_forward(weight_sum_forward, ref, hs, a) -> tuple:
    arguments = (hs.copy(), a.copy())  # in-place changes: see _forward_pure
    outputs = call_own_data(weight_sum_forward, "its arguments hs and a", *arguments)
    c, cache = expect_results("weight_sum_forward", outputs, ("c", "cache"))
    N, T, H = hs.shape
    expect_not_shaped(
        "c",
        c,
        (N, H),
        {
            (N, T): "summed over the hidden axis (axis=2) instead of over time (axis=1)",
            (T, H): "summed over the batch (axis=0) instead of over time (axis=1)",
            (N, T, H): "the products a * hs are not summed over time (axis=1)",
            (N, N, H): "a @ hs pairs every row of a with every sequence; for a batch, "
            "multiply a[:, :, np.newaxis] * hs and sum over axis 1",
        },
    )
    products = a[:, :, np.newaxis] * hs
    mistakes = {
        "averaged over time (np.mean) instead of summed": products.mean(axis=1),
        "the weights a are not used: c is the plain sum of hs over time": hs.sum(axis=1),
    }
    expect_match("c", c, ref.weight_sum_forward(hs, a)[0], mistakes)
    return c, cache


FORWARD_CASE = FORWARD.public("N, T, H all different", _check_forward, lambda: _case(41)[:2])


@FORWARD.part("c (N, H) on random sizes with N, T, H all different", weight=2)
def _forward_values(weight_sum_forward, ref):
    FORWARD_CASE.run(weight_sum_forward, ref)
    hs, a, _ = _case(42)
    _check_forward(weight_sum_forward, ref, hs, a)


@FORWARD.part("edge sizes: one time step (T = 1), one hidden unit (H = 1), one sequence")
def _forward_edges(weight_sum_forward, ref):
    for seed, fixed in enumerate(EDGE_SIZES, start=43):
        hs, a, _ = _case(seed, **fixed)
        _check_forward(weight_sum_forward, ref, hs, a)


@FORWARD.part("cache = (hs, a), what the backward pass needs")
def _forward_cache(weight_sum_forward, ref):
    hs, a, _ = _case(46)
    _, cache = _check_forward(weight_sum_forward, ref, hs, a)
    if not isinstance(cache, (tuple, list)) or len(cache) != 2:
        raise CheckFailed("cache should hold two values, (hs, a)")
    shapes = tuple(np.shape(value) for value in cache)
    if shapes == (hs.shape, hs.shape):
        raise CheckFailed(
            f"cache[1] should be a, shape {a.shape}, but has shape {hs.shape}: you cached the "
            "repeated weights. Cache a itself: the repeated copy costs N*T*H numbers of memory "
            "and the backward pass expects (hs, a)"
        )
    if shapes == (a.shape, hs.shape):
        raise CheckFailed("cache holds (a, hs): the order is (hs, a)")
    try:
        expect_close("cache[0] (hs)", cache[0], hs)
    except CheckFailed as failure:
        raise CheckFailed(f"{failure}: cache[0] should be hs as it was given") from None
    expect_close("cache[1] (a)", cache[1], a)


@FORWARD.part("the inputs hs and a are not modified")
def _forward_pure(weight_sum_forward, ref):
    hs, a, _ = _case(47)
    before = {"hs": hs.copy(), "a": a.copy()}
    weight_sum_forward(hs, a)
    expect_unchanged("hs", before["hs"], hs)
    expect_unchanged("a", before["a"], a)


# --- backward --------------------------------------------------------------------------


def _check_backward(weight_sum_backward, ref, hs, a, dc) -> None:
    cache = ref.weight_sum_forward(hs, a)[1]
    arguments = (dc.copy(), (hs.copy(), a.copy()))  # in-place changes: see _backward_pure
    outputs = call_own_data(weight_sum_backward, "cache", *arguments)
    dhs, da = expect_results("weight_sum_backward", outputs, ("dhs", "da"))
    N, T, H = hs.shape
    if np.shape(dhs) == (N, T) and np.shape(da) == (N, T, H):
        raise CheckFailed("weight_sum_backward returned (da, dhs): return dhs first, then da")
    expected_dhs, expected_da = ref.weight_sum_backward(dc, cache)
    expect_not_shaped(
        "dhs",
        dhs,
        (N, T, H),
        {
            (N, H): "dc is not broadcast over the T time steps: each hs[:, t] gets its own "
            "gradient a[:, t, np.newaxis] * dc",
        },
    )
    expect_match(
        "dhs",
        dhs,
        expected_dhs,
        {
            "dc is repeated over time but not multiplied by the weights a": np.broadcast_to(
                dc[:, np.newaxis, :], hs.shape
            ),
            "dhs is multiplied by hs instead of the weights a": hs * dc[:, np.newaxis, :],
        },
    )
    expect_not_shaped(
        "da",
        da,
        (N, T),
        {
            (N, H): "da is summed over time (axis=1); da[n, t] sums dc[n] * hs[n, t] over "
            "the hidden axis (axis=2)",
            (T, H): "da is summed over the batch (axis=0) instead of the hidden axis (axis=2)",
            (N, T, H): "da is not summed over the hidden axis (axis=2)",
        },
    )
    expect_match(
        "da",
        da,
        expected_da,
        {"da is multiplied by a as well (computed from dhs instead of dc)": a * expected_da},
    )


BACKWARD_CASE = BACKWARD.public("N, T, H all different", _check_backward, lambda: _case(51))


@BACKWARD.part("dhs (N, T, H) and da (N, T) on random sizes, against the reference", weight=2)
def _backward_values(weight_sum_backward, ref):
    BACKWARD_CASE.run(weight_sum_backward, ref)
    _check_backward(weight_sum_backward, ref, *_case(52))


def _check_numerically(weight_sum_backward, ref, hs, a, dc) -> None:
    inputs = {"hs": hs, "a": a}
    expect_cached_gradients_ok(ref.weight_sum_forward, weight_sum_backward, inputs, dc)


@BACKWARD.part("numerical gradients (rnnlab.gradcheck) for T = 1, H = 1 and N = 1")
def _backward_numerical(weight_sum_backward, ref):
    for seed, fixed in enumerate(EDGE_SIZES, start=53):
        case = _case(seed, **fixed)
        _check_backward(weight_sum_backward, ref, *case)
        _check_numerically(weight_sum_backward, ref, *case)


@BACKWARD.part("uses only the cache it is given: two forward passes, then backward of each")
def _backward_cache(weight_sum_backward, ref):
    first, second = _case(56), _case(57)
    cache_first = ref.weight_sum_forward(*first[:2])[1]
    cache_second = ref.weight_sum_forward(*second[:2])[1]
    for label, (_, _, dc), cache in (
        ("second", second, cache_second),
        ("first", first, cache_first),
    ):
        dhs, da = weight_sum_backward(dc, cache)
        expected_dhs, expected_da = ref.weight_sum_backward(dc, cache)
        expect_close(f"dhs (backward of the {label} forward pass)", dhs, expected_dhs)
        expect_close(f"da (backward of the {label} forward pass)", da, expected_da)


@BACKWARD.part("dc and the cached hs and a are not modified")
def _backward_pure(weight_sum_backward, ref):
    hs, a, dc = _case(58)
    before = {"dc": dc.copy(), "hs": hs.copy(), "a": a.copy()}
    weight_sum_backward(dc, ref.weight_sum_forward(hs, a)[1])
    for name, value in {"dc": dc, "hs": hs, "a": a}.items():
        expect_unchanged(name, before[name], value)

