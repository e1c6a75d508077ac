"""The date translator of lesson 06: a Bi-LSTM encoder and an attention decoder.

    x: (N, TX, 37) one-hot human dates
      -> BiLSTM, `encoder` units per direction  -> a: (N, TX, 2 * encoder), h_fw, h_bw
      -> AttentionDecoder, `decoder` units, `energy` units in the energy layer
      -> scores: (N, TY, 11), alpha: (N, TY, TX)

    model = load_weights()                     # the trained weights shipped with rnnlab
    dates, alpha = model.translate(["3 May 1979", "08.03.01"])   # ["1979-05-03", ...]

`save_weights(model, path)` writes the sizes and parameters to an .npz file,
`load_weights(path)` rebuilds the model from it.
"""

from importlib import resources

import numpy as np

from rnnlab.attention_decoder import AttentionDecoder
from rnnlab.dates import HUMAN_VOCAB, MACHINE_VOCAB, TY, decode_machine, encode_human, one_hot
from rnnlab.layers import BiLSTM, SoftmaxCrossEntropy

SIZES = ("encoder", "decoder", "energy")


def default_weights_path():
    """The trained weights shipped in the package: rnnlab/data/date_translator.npz."""
    return resources.files("rnnlab") / "data" / "date_translator.npz"


class DateTranslator:
    """Human dates -> YYYY-MM-DD; params and grads are the encoder's then the decoder's."""

    def __init__(self, encoder=32, decoder=64, energy=16, seed=0, dtype=np.float32):
        rng = np.random.default_rng(seed)
        self.sizes = {"encoder": encoder, "decoder": decoder, "energy": energy}
        self.dtype = np.dtype(dtype)
        self.encoder = BiLSTM(len(HUMAN_VOCAB), encoder, rng, dtype)
        V = len(MACHINE_VOCAB)
        self.decoder = AttentionDecoder(2 * encoder, decoder, energy, V, TY, rng, dtype)
        self.loss_layer = SoftmaxCrossEntropy()
        self.params = self.encoder.params + self.decoder.params
        self.grads = self.encoder.grads + self.decoder.grads

    def forward(self, x: np.ndarray):
        """x: (N, TX, 37) -> scores: (N, TY, 11), alpha: (N, TY, TX)."""
        a = self.encoder.forward(x)
        return self.decoder.forward(a, self.encoder.h_fw, self.encoder.h_bw)

    def loss(self, x: np.ndarray, y: np.ndarray) -> float:
        """Mean cross-entropy of the TY outputs. x: (N, TX, 37), y: (N, TY) machine ids."""
        scores, _ = self.forward(x)
        return self.loss_layer.forward(scores, y)

    def backward(self) -> None:
        """Fill self.grads with the gradient of the last `loss`."""
        da, dh_fw, dh_bw = self.decoder.backward(self.loss_layer.backward())
        self.encoder.backward(da, dh_fw=dh_fw, dh_bw=dh_bw)

    def predict(self, x: np.ndarray):
        """x: (N, TX, 37) -> ids: (N, TY) most likely symbols, alpha: (N, TY, TX)."""
        scores, alpha = self.forward(x)
        return scores.argmax(axis=-1), alpha

    def translate(self, strings):
        """N human dates -> N strings YYYY-MM-DD and alpha: (N, TY, TX)."""
        x = one_hot(encode_human(strings), len(HUMAN_VOCAB), self.dtype)
        ids, alpha = self.predict(x)
        return decode_machine(ids), alpha


def save_weights(model: DateTranslator, path) -> None:
    """Write the model's sizes, dtype and parameters (param_0, param_1, ...) to an .npz."""
    params = {f"param_{i}": p for i, p in enumerate(model.params)}
    np.savez_compressed(path, dtype=str(model.dtype), **model.sizes, **params)


def load_weights(path=None, dtype=None) -> DateTranslator:
    """The DateTranslator saved at `path` (default: the shipped weights), in `dtype`
    (default: the saved one)."""
    with np.load(default_weights_path() if path is None else path) as saved:
        sizes = {name: int(saved[name]) for name in SIZES}
        model = DateTranslator(**sizes, dtype=dtype or str(saved["dtype"]))
        for i, p in enumerate(model.params):
            p[...] = saved[f"param_{i}"]
    return model
