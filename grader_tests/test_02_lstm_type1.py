"""Hidden tests of lesson 02, the type-1 (standard) LSTM.

Called from the hidden regions of `solutions/02_lstm_type1.ipynb`; the reference answers
are that notebook's own solution cells. Wrong results are compared with the computations
of `lstm_variants`, so the report names the mistake, including a type-2 LSTM handed in
for type 1.
"""

import numpy as np

from grader_tests import lstm_variants as variants
from grader_tests.grading import Exercise, expect_finite, expect_match, random_sizes
from rnnlab import softmax
from rnnlab.layers import LSTM, BiLSTM
from rnnlab.lstm_cells import lstm1_step_stacked, stack_lstm_params
from rnnlab.recurrent import lstm_step
from rnnlab.testing import CheckFailed, expect_unchanged

LESSON = "02_lstm_type1"

LIBRARY_LSTM = (lstm1_step_stacked, stack_lstm_params, lstm_step, LSTM, BiLSTM)
CELL = Exercise(LESSON, "lstm1_cell_forward", points=3, not_allowed=LIBRARY_LSTM)
LAYER = Exercise(
    LESSON,
    "lstm1_forward",
    points=4,
    helpers=("lstm1_cell_forward",),
    not_allowed=LIBRARY_LSTM,
)
OUTPUT = Exercise(LESSON, "lstm_output_forward", points=2)
EXERCISES = (CELL, LAYER, OUTPUT)

TYPE2 = (
    "you computed LSTM type 2 (gates read c_prev, no U_g term, h = tanh(o * c)); "
    "type 1's gates and candidate read h_prev and h_next = o * tanh(c_next)"
)
STEP_MISTAKES = {
    TYPE2: variants.TYPE2,
    "the gates read c_prev instead of h_prev (as in type 2)": {"gates_read": "c"},
    "sigmoid and tanh are swapped: the gates f, i, o need sigmoid, the candidate g tanh": {
        "acts_swapped": True
    },
    "the forget and input gates are swapped: c_next = i * c_prev + f * g": {"swap": ("f", "i")},
    "the output gate and the candidate use each other's weights (wrong gate order)": {
        "swap_weights": ("o", "g")
    },
    "the recurrent weights are transposed (h_prev @ U.T)": {"transpose_U": True},
    "c_prev is not carried: c_next = i * g has no f * c_prev term": {"carry_c": False},
    "h_next = o * c_next: the tanh of c_next is missing": {"output": "o*c"},
    "h_next = tanh(o * c_next) (type 2's output) instead of o * tanh(c_next)": {
        "output": "tanh(o*c)"
    },
}


def _check_cell(cell, ref, x_t, h_prev, c_prev, params) -> tuple:
    expected = ref.lstm1_cell_forward(x_t, h_prev, c_prev, params)
    mistakes = {
        mistake: variants.step(x_t, h_prev, c_prev, params, **settings)
        for mistake, settings in STEP_MISTAKES.items()
    }
    outputs = cell(x_t, h_prev, c_prev, params)  # last: it may change its inputs
    variants.expect_cell_result("lstm1_cell_forward", outputs, expected, mistakes)
    return outputs


variants.register_cell_parts(
    CELL,
    _check_cell,
    1,
    201,
    (
        "large weights (around 50): saturated gates, finite values",
        lambda: variants.cell_case(1, 204, scale=50.0),
    ),
)


def _sequence_mistakes(x, h0, c0, params) -> dict:
    def run(**settings):
        return variants.sequence(x, h0, c0, params, **settings)

    return {
        "the states are reset to h0, c0 at every step instead of being carried": run(reset=True),
        "c is not carried: every step starts again from c0": run(carry_c=False),
        "h is not carried: every step starts again from h0": run(carry_h=False),
        "h and c are swapped in the call to the cell": run(swap_hc=True),
        "[:, t] holds the states before step t instead of after it": variants.shifted(
            run(), h0, c0
        ),
        TYPE2: run(**variants.TYPE2),
    }


def _check_sequence(layer, ref, x, h0, c0, params) -> None:
    expected = ref.lstm1_forward(x, h0, c0, params)
    mistakes = _sequence_mistakes(x, h0, c0, params)
    out = layer(x, h0, c0, params)
    variants.expect_sequence_result("lstm1_forward", out, expected, mistakes)


variants.register_layer_parts(
    LAYER, _check_sequence, lambda seed, **fixed: variants.sequence_case(1, seed, **fixed), 211
)


def _output_case(seed: int, scale: float = 0.5, **fixed):
    rng = np.random.default_rng(seed)
    sizes = random_sizes(rng, "N T H V")
    sizes.update(fixed)
    h = np.tanh(rng.standard_normal((sizes["N"], sizes["T"], sizes["H"])))
    params = {
        "W_y": scale * rng.standard_normal((sizes["H"], sizes["V"])),
        "b_y": scale * rng.standard_normal(sizes["V"]),
    }
    return h, params


def _check_output(output_layer, ref, h, params) -> np.ndarray:
    expected = ref.lstm_output_forward(h, params)
    y = output_layer(h, params)
    N, T, V = expected.shape
    if isinstance(y, (list, tuple)):
        raise CheckFailed(
            f"y is a list of {len(y)} arrays, not an array of shape (N, T, V) = {(N, T, V)}"
        )
    if np.shape(y) == (N, V) and T != 1:
        raise CheckFailed(f"y has shape {(N, V)}: only one time step; y needs every step (N, T, V)")
    scores = h @ params["W_y"] + params["b_y"]
    with np.errstate(over="ignore", invalid="ignore"):
        naive = np.exp(scores) / np.exp(scores).sum(axis=-1, keepdims=True)
    mistakes = {
        "y is not passed through softmax": scores,
        "the softmax is taken over the time axis (axis 1) instead of the classes": softmax(
            scores, 1
        ),
        "the softmax is taken over the batch axis (axis 0) instead of the classes": softmax(
            scores, 0
        ),
        "the softmax divides by the sum over the whole array": np.exp(scores - scores.max())
        / np.exp(scores - scores.max()).sum(),
        "the bias b_y is missing": softmax(h @ params["W_y"]),
        "the max is not subtracted before np.exp, so exp overflows": naive,
    }
    expect_match("y", y, expected, mistakes)
    return y


OUTPUT_CASE = OUTPUT.public("N, T, H, V all different", _check_output,
                            lambda: _output_case(221))  # fmt: skip
LARGE_OUTPUT_CASE = OUTPUT.public("large weights W_y (around 1e3)", _check_output,
                                  lambda: _output_case(223, scale=1e3))  # fmt: skip


@OUTPUT.part("y (N, T, V) on random sizes with N, T, H, V all different", weight=2)
def _output_values(output_layer, ref):
    OUTPUT_CASE.run(output_layer, ref)
    _check_output(output_layer, ref, *_output_case(222))


@OUTPUT.part("large weights W_y (around 1e3): y stays finite")
def _output_large(output_layer, ref):
    expect_finite("y", LARGE_OUTPUT_CASE.run(output_layer, ref))


@OUTPUT.part("one sequence of one step (N = 1, T = 1)")
def _output_small(output_layer, ref):
    _check_output(output_layer, ref, *_output_case(224, N=1, T=1))


@OUTPUT.part("h and params are not modified")
def _output_pure(output_layer, ref):
    h, params = _output_case(225)
    arguments = {"h": h, **params}
    before = {name: value.copy() for name, value in arguments.items()}
    output_layer(h, params)
    for name, value in arguments.items():
        expect_unchanged(name, before[name], value)

