"""An exercise answered by calling the course library's own implementation is caught,
however the library is reached; an answer that only uses numpy is not."""

import numpy as np

import rnnlab.lstm_cells as cells_module
from grader_tests.grading import library_answers
from rnnlab.layers import LSTM
from rnnlab.lstm_cells import lstm1_step_stacked

BANNED = (lstm1_step_stacked, LSTM)


def by_global_name(x):
    return lstm1_step_stacked(x)


def by_module_alias(x):
    return cells_module.lstm1_step_stacked(x)


def by_import_inside(x):
    from rnnlab.lstm_cells import lstm1_step_stacked as step

    return step(x)


def by_package_attribute(x):
    import rnnlab

    return rnnlab.layers.LSTM(x)


def helper(x):
    return LSTM(x, 2, None)


def through_own_helper(x):
    return helper(x)


def numpy_only(x):
    return [np.tanh(value) for value in x]


def test_each_way_of_reaching_the_library_is_named():
    assert library_answers(by_global_name, BANNED) == ["lstm1_step_stacked"]
    assert library_answers(by_module_alias, BANNED) == ["lstm1_step_stacked"]
    assert library_answers(by_import_inside, BANNED) == ["lstm1_step_stacked"]
    assert library_answers(by_package_attribute, BANNED) == ["LSTM"]
    assert library_answers(through_own_helper, BANNED) == ["LSTM"]


def test_the_library_function_handed_in_as_the_answer_is_named():
    assert library_answers(lstm1_step_stacked, BANNED) == ["lstm1_step_stacked"]


def test_numpy_code_and_helpers_graded_on_their_own_pass():
    assert library_answers(numpy_only, BANNED) == []
    assert library_answers(through_own_helper, BANNED, skip=("helper",)) == []
