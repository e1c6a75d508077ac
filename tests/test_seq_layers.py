"""Gradient checks (float64, small sizes) of the sequence layers, the optimiser, clipping."""

import numpy as np
import pytest

from rnnlab.attention_decoder import AttentionDecoder
from rnnlab.gradcheck import check_gradients, check_layer
from rnnlab.layers import LSTM, BiLSTM, Dense, NotRunError, Softmax, SoftmaxCrossEntropy
from rnnlab.optim import Adam, clip_grad_norm
from rnnlab.translator import DateTranslator

N, T, D, H = 2, 4, 3, 5


def assert_ok(reports):
    assert all(report.ok for report in reports), "\n".join(map(str, reports))


class ScoresOnly:
    """The decoder seen as a one-output layer, as check_layer expects."""

    def __init__(self, decoder):
        self.decoder, self.params, self.grads = decoder, decoder.params, decoder.grads

    def forward(self, *inputs):
        return self.decoder.forward(*inputs)[0]

    def backward(self, dscores):
        return self.decoder.backward(dscores)


class WithFinalStates:
    """A BiLSTM whose output also carries its final states: (N, T*2H + 4H), flattened."""

    def __init__(self, bilstm):
        self.bilstm, self.params, self.grads = bilstm, bilstm.params, bilstm.grads

    def forward(self, x):
        b = self.bilstm
        h = b.forward(x)
        return np.concatenate([h.reshape(len(x), -1), b.h_fw, b.c_fw, b.h_bw, b.c_bw], axis=1)

    def backward(self, dout):
        dh, *finals = np.split(dout, np.cumsum([T * 2 * H, H, H, H]), axis=1)
        return self.bilstm.backward(dh.reshape(N, T, 2 * H), *finals)


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def test_dense_over_the_last_axis(rng):
    layer = Dense(D, H, rng)
    assert_ok(
        check_layer(layer, {"x": rng.standard_normal((N, T, D))}, rng.standard_normal((N, T, H)))
    )


def test_softmax_cross_entropy_gradient_and_value(rng):
    loss, targets = SoftmaxCrossEntropy(), rng.integers(0, 6, (N, T))
    scores = rng.standard_normal((N, T, 6))
    assert_ok(
        check_gradients(
            lambda s: loss.forward(s, targets), loss.backward, {"s": scores}, np.array(1.7)
        )
    )
    uniform = loss.forward(np.zeros((N, T, 6)), targets)
    assert uniform == pytest.approx(np.log(6))


def test_lstm_with_initial_states(rng):
    inputs = {
        name: rng.standard_normal(shape)
        for name, shape in (("x", (N, T, D)), ("h0", (N, H)), ("c0", (N, H)))
    }
    assert_ok(check_layer(LSTM(D, H, rng), inputs, rng.standard_normal((N, T, H))))


def test_lstm_without_initial_states_returns_dx_only(rng):
    lstm = LSTM(D, H, rng)
    assert_ok(
        check_layer(lstm, {"x": rng.standard_normal((N, T, D))}, rng.standard_normal((N, T, H)))
    )
    assert isinstance(lstm.backward(np.ones((N, T, H))), np.ndarray)


def test_lstm_final_states_are_the_last_step(rng):
    lstm = LSTM(D, H, rng)
    h = lstm.forward(rng.standard_normal((N, T, D)))
    np.testing.assert_array_equal(lstm.h_last, h[:, -1])
    assert lstm.c_last.shape == (N, H)


def test_bilstm_including_final_state_gradients(rng):
    layer = WithFinalStates(BiLSTM(D, H, rng))
    dout = rng.standard_normal((N, T * 2 * H + 4 * H))
    assert_ok(check_layer(layer, {"x": rng.standard_normal((N, T, D))}, dout))


def test_bilstm_halves_are_forward_then_backward(rng):
    bilstm, x = BiLSTM(D, H, rng), rng.standard_normal((N, T, D))
    h = bilstm.forward(x)
    np.testing.assert_allclose(h[..., :H], bilstm.forward_lstm.forward(x))
    np.testing.assert_allclose(h[..., H:], bilstm.backward_lstm.forward(x[:, ::-1])[:, ::-1])
    np.testing.assert_allclose(bilstm.h_bw, h[:, 0, H:])


@pytest.mark.parametrize("A, S", [(6, 5), (6, 6)], ids=["bridge", "no-bridge"])
def test_attention_decoder(rng, A, S):
    Tx, E, V, Ty = 4, 3, 5, 3
    decoder = AttentionDecoder(A, S, E, V, Ty, rng)
    inputs = {"a": rng.standard_normal((N, Tx, A)), "h_fw": rng.standard_normal((N, A // 2))}
    inputs["h_bw"] = rng.standard_normal((N, A // 2))
    assert_ok(check_layer(ScoresOnly(decoder), inputs, rng.standard_normal((N, Ty, V))))
    scores, alpha = decoder.forward(*inputs.values())
    assert scores.shape == (N, Ty, V) and alpha.shape == (N, Ty, Tx)
    np.testing.assert_allclose(alpha.sum(axis=-1), 1.0)


def test_whole_translator_gradient(rng):
    """The wiring: encoder states and final states reach the decoder and back. The loss is
    a mean over 20 outputs, so some gradients are ~1e-8 and the tolerance is looser."""
    model = DateTranslator(encoder=2, decoder=3, energy=2, dtype=np.float64)
    x = np.eye(37)[rng.integers(0, 37, (N, 5))]
    y = rng.integers(0, 11, (N, 10))
    params = {f"params[{i}]": p for i, p in enumerate(model.params)}

    def backward(_):
        model.backward()
        return tuple(g.copy() for g in model.grads)

    reports = check_gradients(
        lambda **_: model.loss(x, y), backward, params, np.array(1.0), eps=1e-5, tolerance=1e-3
    )
    assert_ok(reports)


def test_float32_matches_float64():
    x = np.random.default_rng(1).standard_normal((N, T, D))
    h32, h64 = (
        LSTM(D, H, np.random.default_rng(2), dtype).forward(x) for dtype in (np.float32, np.float64)
    )
    assert h32.dtype == np.float32
    np.testing.assert_allclose(h32, h64, atol=1e-5)


def test_adam_first_step_moves_each_weight_by_lr_against_its_gradient():
    params, grads = [np.array([1.0, -2.0])], [np.array([0.5, -3.0])]
    Adam(lr=0.1).update(params, grads)
    np.testing.assert_allclose(params[0], [0.9, -1.9], atol=1e-6)


def test_adam_minimises_a_quadratic():
    w, optimizer = np.array([3.0, -4.0]), Adam(lr=0.1)
    for _ in range(500):
        optimizer.update([w], [2 * w])
    np.testing.assert_allclose(w, 0.0, atol=1e-2)


def test_clip_grad_norm_scales_everything_by_one_factor():
    grads = [np.array([3.0]), np.array([[4.0]])]
    assert clip_grad_norm(grads, 1.0) == pytest.approx(5.0)
    np.testing.assert_allclose([grads[0][0], grads[1][0, 0]], [0.6, 0.8])
    assert clip_grad_norm(grads, 10.0) == pytest.approx(1.0)
    np.testing.assert_allclose(grads[0], [0.6])


@pytest.mark.parametrize(
    "make, dout",
    [
        (lambda rng: Softmax(), np.ones((2, 3))),
        (lambda rng: Dense(3, 2, rng), np.ones((2, 2))),
        (lambda rng: SoftmaxCrossEntropy(), 1.0),
        (lambda rng: LSTM(3, 2, rng), np.ones((1, 2, 2))),
        (lambda rng: BiLSTM(3, 2, rng), np.ones((1, 2, 4))),
        (lambda rng: AttentionDecoder(4, 3, 2, 5, 2, rng), np.ones((1, 2, 5))),
    ],
)
def test_backward_before_forward_says_so(make, dout):
    layer = make(np.random.default_rng(0))
    with pytest.raises(NotRunError, match=r"backward was called before \w+\.forward"):
        layer.backward(dout)
