"""The bundled sample class: who submits what, and the scores they must get.

Each student's answer for a lesson is either UNTOUCHED (the release as handed out) or a
list of catalog answer names (grader_tests/answers_<lesson>.py) that replace those cells;
every other solution cell holds the solution. An empty list is a full-marks submission.
"""

from dataclasses import dataclass

UNTOUCHED = None


@dataclass(frozen=True)
class Student:
    student_id: str
    answers: dict  # {lesson: UNTOUCHED or [catalog answer names]}
    expected: dict  # {lesson: total points the autograder must give}
    about: str


EVERY_LESSON = (
    "01_rnn_forward",
    "02_lstm_type1",
    "03_lstm_type2",
    "04_weightsum",
    "05_attention_weight",
    "06_bilstm_attention",
    "07_rnn_backward",
    "08_lstm_backward",
)
FULL_MARKS = {
    "01_rnn_forward": 8.0,
    "02_lstm_type1": 9.0,
    "03_lstm_type2": 7.0,
    "04_weightsum": 5.0,
    "05_attention_weight": 5.0,
    "06_bilstm_attention": 10.0,
    "07_rnn_backward": 10.0,
    "08_lstm_backward": 12.0,
}

STUDENTS = [
    Student(
        "ada", {lesson: [] for lesson in EVERY_LESSON}, FULL_MARKS, "the solutions: full marks"
    ),
    Student(
        "ben",
        {lesson: UNTOUCHED for lesson in EVERY_LESSON},
        {lesson: 0.0 for lesson in EVERY_LESSON},
        "the untouched release: no points",
    ),
    Student(
        "cleo",
        {
            "01_rnn_forward": ["naive softmax without the max shift"],
            "02_lstm_type1": ["cell state updated in place"],
            "03_lstm_type2": ["cell state updated in place"],
            "04_weightsum": ["repeated weights cached"],
            "05_attention_weight": ["softmax backward without the sum term"],
            "06_bilstm_attention": ["naive softmax"],
            "07_rnn_backward": ["upstream gradient scaled in place"],
            "08_lstm_backward": ["cell-state gradient accumulated into dc_next in place"],
        },
        {
            "01_rnn_forward": 7.6,
            "02_lstm_type1": 8.5,
            "03_lstm_type2": 6.5,
            "04_weightsum": 4.6,
            "05_attention_weight": 2.0,
            "06_bilstm_attention": 9.2,
            "07_rnn_backward": 9.33,
            "08_lstm_backward": 11.17,
        },
        "small slips: overflow, in-place updates, a missing softmax term",
    ),
    Student(
        "dev",
        {
            "01_rnn_forward": ["sigmoid instead of tanh", "hidden state not carried"],
            "02_lstm_type1": ["type 2 cell handed in for type 1", "states reset every step"],
            "03_lstm_type2": ["type 1 cell handed in for type 2", "lists returned"],
            "04_weightsum": ["da summed over time"],
            "05_attention_weight": ["softmax over the batch axis", "global softmax layer"],
            "06_bilstm_attention": ["backward first", "no tanh"],
            "07_rnn_backward": ["bias gradient not summed over the batch", "loop forwards in time"],
            "08_lstm_backward": [
                "tanh' of the cell state taken at c_next",
                "cell-state gradient not carried back",
            ],
        },
        {
            "01_rnn_forward": 2.0,
            "02_lstm_type1": 2.0,
            "03_lstm_type2": 0.0,
            "04_weightsum": 2.0,
            "05_attention_weight": 0.0,
            "06_bilstm_attention": 4.0,
            "07_rnn_backward": 2.0,
            "08_lstm_backward": 2.0,
        },
        "wrong activations, LSTM types mixed up, wrong axes and directions",
    ),
    Student(
        "eve",
        {
            "01_rnn_forward": ["loop over rows", "einsum", "lists stacked at the end"],
            "02_lstm_type1": [
                "stacked weights on concatenated inputs",
                "lists stacked on axis 1",
                "einsum",
            ],
            "03_lstm_type2": [
                "einsum with a gate loop",
                "inline type 2 with the candidates precomputed",
            ],
            "04_weightsum": ["einsum forward", "repeat and multiply backward"],
            "05_attention_weight": ["batched matmul forward", "einsum backward"],
            "06_bilstm_attention": [
                "np.flip and np.dstack",
                "reshape as in the source, own stable softmax",
                "split W_e, no concatenation",
            ],
            "07_rnn_backward": [
                "einsum",
                "lists in reverse, stacked at the end",
                "one long vector and np.minimum",
            ],
            "08_lstm_backward": [
                "preallocated array",
                "stacked gates in the course's order",
                "lists in reverse, stacked at the end",
            ],
        },
        FULL_MARKS,
        "correct, in other styles",
    ),
    Student(
        "finn",
        {
            "01_rnn_forward": ["time-major output", "shift done in place on the input"],
            "02_lstm_type1": ["time-major arrays", "naive softmax"],
            "03_lstm_type2": ["peephole-style gates reading h_prev and c_prev", "outputs squeezed"],
            "04_weightsum": ["weighting done in place on hs", "gradients returned as (da, dhs)"],
            "05_attention_weight": [
                "naive exponentials",
                "softmax recomputed from a global function",
            ],
            "06_bilstm_attention": [
                "outputs squeezed",
                "context computed in place on h",
                "loop over the encoder steps",
            ],
            "07_rnn_backward": [
                "time-major dx",
                "scaled in place",
                "gradients returned as a tuple",
            ],
            "08_lstm_backward": ["time-major h", "carried gradient added into dh in place"],
        },
        {
            "01_rnn_forward": 4.6,
            "02_lstm_type1": 4.6,
            "03_lstm_type2": 2.67,
            "04_weightsum": 1.2,
            "05_attention_weight": 3.7,
            "06_bilstm_attention": 7.7,
            "07_rnn_backward": 1.6,
            "08_lstm_backward": 8.33,
        },
        "time-major layouts, in-place changes, peepholes, swapped returns",
    ),
]
