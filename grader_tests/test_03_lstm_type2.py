"""Hidden tests of lesson 03, the type-2 LSTM (the gates read the cell state).

Called from the hidden regions of `solutions/03_lstm_type2.ipynb`; the reference answers
are that notebook's own solution cells. Wrong results are compared with the computations
of `lstm_variants`, so the report names the mistake, including a type-1 (standard) LSTM
or a peephole-style cell handed in for type 2.
"""

from grader_tests import lstm_variants as variants
from grader_tests.grading import Exercise
from rnnlab.testing import CheckFailed

LESSON = "03_lstm_type2"

CELL = Exercise(LESSON, "lstm2_cell_forward", points=3)
LAYER = Exercise(LESSON, "lstm2_forward", points=4, helpers=("lstm2_cell_forward",))
EXERCISES = (CELL, LAYER)

TYPE1 = (
    "you computed LSTM type 1 (gates read h_prev, h_next = o * tanh(c_next)); "
    "type 2's gates read c_prev and h_next = tanh(o * c_next)"
)
# Type 1 on type-2 parameters: there is no U_g, so its candidate reads x_t only.
TYPE1_SETTINGS = {**variants.TYPE1, "candidate_reads": None}
STEP_MISTAKES = {
    TYPE1: TYPE1_SETTINGS,
    "the gates read h_prev instead of c_prev (as in type 1)": {
        **variants.TYPE2,
        "gates_read": "h",
    },
    "h_next = o * tanh(c_next) (type 1's output) instead of tanh(o * c_next)": {
        **variants.TYPE2,
        "output": "o*tanh(c)",
    },
    "the gates read h_prev and c_prev (peephole style); type 2's gates read c_prev only": {
        **variants.TYPE2,
        "gates_read": "h+c",
    },
    "the output gate reads c_next (as a peephole does) instead of c_prev": {
        **variants.TYPE2,
        "output_gate_reads_c_next": True,
    },
    "sigmoid and tanh are swapped: the gates f, i, o need sigmoid, the candidate g tanh": {
        **variants.TYPE2,
        "acts_swapped": True,
    },
    "the forget and input gates are swapped: c_next = i * c_prev + f * g": {
        **variants.TYPE2,
        "swap": ("f", "i"),
    },
    "the forget and output gates are swapped": {**variants.TYPE2, "swap": ("f", "o")},
    "the recurrent weights are transposed (c_prev @ U.T)": {**variants.TYPE2, "transpose_U": True},
    "c_prev is not carried: c_next = i * g has no f * c_prev term": {
        **variants.TYPE2,
        "carry_c": False,
    },
    "h_next = o * c_next: the tanh is missing": {**variants.TYPE2, "output": "o*c"},
}
NO_U_G = (
    "params has no 'U_g': type 2's candidate g = tanh(x_t W_g + b_g) has no recurrent term. "
    "A recurrent candidate is LSTM type 1; type 2's gates read c_prev"
)


def _call(function, *arguments):
    """Call the student's function; a KeyError for U_g means a type-1 candidate."""
    try:
        return function(*arguments)
    except KeyError as error:
        if "U_g" in str(error):
            raise CheckFailed(NO_U_G) from None
        raise


def _check_cell(cell, ref, x_t, h_prev, c_prev, params) -> tuple:
    expected = ref.lstm2_cell_forward(x_t, h_prev, c_prev, params)
    mistakes = {
        mistake: variants.step(x_t, h_prev, c_prev, params, **settings)
        for mistake, settings in STEP_MISTAKES.items()
    }
    outputs = _call(cell, x_t, h_prev, c_prev, params)  # last: it may change its inputs
    variants.expect_cell_result("lstm2_cell_forward", outputs, expected, mistakes)
    return outputs


def _large_cell_case() -> tuple:
    x_t, h_prev, c_prev, params = variants.cell_case(2, 304)
    return x_t, h_prev, 25 * c_prev, params


variants.register_cell_parts(
    CELL,
    _check_cell,
    2,
    301,
    ("a large cell state (around 50): saturated gates, finite values", _large_cell_case),
    call=_call,
)


def _sequence_mistakes(x, h0, c0, params) -> dict:
    def run(**settings):
        return variants.sequence(x, h0, c0, params, **{**variants.TYPE2, **settings})

    return {
        # In type 2 only c reaches the next step, so resetting both states is the same mistake.
        "c is not carried: every step starts again from c0 (the state is reset at every step)": (
            run(carry_c=False)
        ),
        "h and c are swapped in the call to the cell": run(swap_hc=True),
        "[:, t] holds the states before step t instead of after it": variants.shifted(
            run(), h0, c0
        ),
        TYPE1: run(**TYPE1_SETTINGS),
    }


def _check_sequence(layer, ref, x, h0, c0, params) -> None:
    expected = ref.lstm2_forward(x, h0, c0, params)
    mistakes = _sequence_mistakes(x, h0, c0, params)
    out = _call(layer, x, h0, c0, params)
    variants.expect_sequence_result("lstm2_forward", out, expected, mistakes)


variants.register_layer_parts(
    LAYER,
    _check_sequence,
    lambda seed, **fixed: variants.sequence_case(2, seed, **fixed),
    311,
    call=_call,
)

