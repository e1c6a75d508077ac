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


STUDENTS = [
    Student("ada", {"01_rnn_forward": []}, {"01_rnn_forward": 8.0}, "the solution: full marks"),
    Student(
        "ben",
        {"01_rnn_forward": UNTOUCHED},
        {"01_rnn_forward": 0.0},
        "the untouched release: no points",
    ),
    Student(
        "cleo",
        {"01_rnn_forward": ["naive softmax without the max shift"]},
        {"01_rnn_forward": 7.6},
        "softmax overflows on large scores",
    ),
    Student(
        "dev",
        {"01_rnn_forward": ["sigmoid instead of tanh", "hidden state not carried"]},
        {"01_rnn_forward": 2.0},
        "sigmoid for tanh; state not carried",
    ),
    Student(
        "eve",
        {"01_rnn_forward": ["loop over rows", "einsum", "lists stacked at the end"]},
        {"01_rnn_forward": 8.0},
        "correct, in another style",
    ),
    Student(
        "finn",
        {"01_rnn_forward": ["time-major output", "shift done in place on the input"]},
        {"01_rnn_forward": 4.6},
        "time-major output; softmax changes its input",
    ),
]
