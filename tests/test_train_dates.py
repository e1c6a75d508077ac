"""Training the date translator: a short run learns, weights round-trip, the CLI writes files."""

import io

import numpy as np
import pytest

from rnnlab.blas import blas_thread_limit, blas_threads
from rnnlab.dates import make_dataset
from rnnlab.train_dates import arrays, exact_match, main, progress_bar, train
from rnnlab.translator import DateTranslator, load_weights, save_weights


@pytest.fixture(scope="module")
def trained():
    """A small model after a few seconds of training, with 200 unseen dates."""
    x, y = arrays(make_dataset(4800, 0))
    model = DateTranslator(encoder=16, decoder=32, energy=8, seed=0)
    losses = train(model, x, y, epochs=1, batch_size=32, lr=1e-2, out=io.StringIO())
    return model, losses, arrays(make_dataset(200, 1, split="test"))


def test_short_training_beats_chance_by_far(trained):
    model, losses, (x_test, y_test) = trained
    assert len(losses) == 150
    assert np.mean(losses[-10:]) < 0.6 * np.log(11)
    ids, alpha = model.predict(x_test)
    assert np.mean(ids == y_test) > 0.4  # chance: 1/11
    assert alpha.shape == (200, 10, 30)


def test_weights_round_trip(trained, tmp_path):
    model, _, (x_test, y_test) = trained
    save_weights(model, tmp_path / "w.npz")
    loaded = load_weights(tmp_path / "w.npz")
    assert loaded.sizes == model.sizes and loaded.dtype == model.dtype
    for saved, restored in zip(model.params, loaded.params, strict=True):
        np.testing.assert_array_equal(saved, restored)
    assert exact_match(loaded, x_test, y_test) == exact_match(model, x_test, y_test)


def test_shipped_weights_translate():
    dates, alpha = load_weights().translate(["3 May 1979", "Tuesday, March 8 2001", "08.03.01"])
    assert dates == ["1979-05-03", "2001-03-08", "2001-03-08"]
    np.testing.assert_allclose(alpha.sum(axis=-1), 1.0, rtol=1e-5)


def test_command_line_writes_weights_and_figure(tmp_path, capsys):
    main(["--epochs", "1", "--train-size", "128", "--out", str(tmp_path / "t.npz")])
    assert (tmp_path / "t.npz").exists() and (tmp_path / "t_loss.png").exists()
    assert "held-out exact match" in capsys.readouterr().out


def test_progress_bar():
    assert progress_bar(0, 4, width=8) == "[--------]   0%"
    assert progress_bar(3, 4, width=8) == "[######--]  75%"


def test_blas_thread_limit_restores_the_setting():
    before = blas_threads()
    with blas_thread_limit(1):
        assert blas_threads() in (1, None)
    assert blas_threads() == before
