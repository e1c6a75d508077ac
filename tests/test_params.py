import numpy as np
import pytest

from rnnlab.params import lstm_params, rnn_params


def test_rnn_params_shapes():
    params = rnn_params(np.random.default_rng(0), D=3, H=5, V=4)
    shapes = {"W_x": (3, 5), "W_h": (5, 5), "b": (5,), "W_y": (5, 4), "b_y": (4,)}
    assert {name: value.shape for name, value in params.items()} == shapes


def test_lstm_params_type1_shapes_and_output_layer():
    params = lstm_params(np.random.default_rng(0), D=3, H=5, V=4)
    for gate in "fiog":
        assert params[f"W_{gate}"].shape == (3, 5)
        assert params[f"U_{gate}"].shape == (5, 5)
        assert params[f"b_{gate}"].shape == (5,)
    assert params["W_y"].shape == (5, 4) and params["b_y"].shape == (4,)
    assert "W_y" not in lstm_params(np.random.default_rng(0), D=3, H=5)


def test_lstm_params_type2_has_no_recurrent_candidate():
    params = lstm_params(np.random.default_rng(0), D=3, H=5, kind=2)
    assert "U_g" not in params
    assert sorted(params) == sorted([f"{w}_{g}" for g in "fio" for w in "WUb"] + ["W_g", "b_g"])


def test_lstm_params_are_reproducible_and_scaled():
    first = lstm_params(np.random.default_rng(7), D=2, H=3, scale=2.0)
    second = lstm_params(np.random.default_rng(7), D=2, H=3, scale=2.0)
    for name in first:
        np.testing.assert_array_equal(first[name], second[name])
    assert np.std(lstm_params(np.random.default_rng(0), D=50, H=60, scale=2.0)["U_f"]) > 1.5


def test_lstm_params_rejects_an_unknown_kind():
    with pytest.raises(ValueError, match="kind should be 1"):
        lstm_params(np.random.default_rng(0), D=2, H=3, kind=3)
