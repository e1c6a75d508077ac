"""Train the date translator of lesson 06 and save its weights.

    python -m rnnlab.train_dates [--epochs 3] [--time-budget SECONDS] [--out PATH]

Trains a DateTranslator on `--train-size` generated dates (seed `--seed`) with Adam and
global-norm clipping, shows a text progress bar, reports the exact-match accuracy on 1,000
held-out dates (days never seen in training) after every epoch, and saves the weights to
`--out` and the loss curve to `--figure` (default `<out>_loss.png`). A run limited by
epochs gives the same weights every time on a given machine; `--time-budget` stops
training early when the wall time is up, so the result then depends on the machine's speed.

The shipped weights, rnnlab/data/date_translator.npz, come from the defaults:
    python -m rnnlab.train_dates --out lib/rnnlab/data/date_translator.npz
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from rnnlab.blas import blas_thread_limit
from rnnlab.dates import HUMAN_VOCAB, encode_human, encode_machine, make_dataset, one_hot
from rnnlab.optim import Adam, clip_grad_norm
from rnnlab.translator import DateTranslator, save_weights

HELD_OUT_SEED = 1


def progress_bar(done: int, total: int, width: int = 30) -> str:
    """'[#######-------]  45%' for done of total."""
    filled = width * done // total
    return f"[{'#' * filled}{'-' * (width - filled)}] {100 * done // total:3d}%"


def arrays(pairs, dtype=np.float32):
    """(human, machine) pairs -> x: (N, TX, 37) one-hot, y: (N, TY) machine ids."""
    x = one_hot(encode_human([human for human, _ in pairs]), len(HUMAN_VOCAB), dtype)
    return x, encode_machine([machine for _, machine in pairs])


def exact_match(model: DateTranslator, x: np.ndarray, y: np.ndarray) -> float:
    """Fraction of the N dates translated without a single wrong symbol. y: (N, TY)."""
    ids, _ = model.predict(x)
    return float(np.mean(np.all(ids == y, axis=1)))


def _step(model: DateTranslator, optimizer: Adam, x, y, max_norm: float) -> float:
    """One update on the batch x: (B, TX, 37), y: (B, TY); returns the batch's loss."""
    loss = model.loss(x, y)
    model.backward()
    clip_grad_norm(model.grads, max_norm)
    optimizer.update(model.params, model.grads)
    return loss


def _show(out, epoch: int, epochs: int, step: int, steps: int, loss: float) -> None:
    """Redraw the progress bar when its percentage changes (at most 100 times an epoch)."""
    if step * 100 // steps != (step - 1) * 100 // steps:
        bar = progress_bar(step, steps)
        print(f"\repoch {epoch}/{epochs} {bar} loss {loss:.4f}", end="", file=out)


def train(
    model,
    x,
    y,
    epochs,
    *,
    batch_size=64,
    lr=3e-3,
    max_norm=5.0,
    seed=0,
    time_budget=None,
    on_epoch=None,
    out=None,
):
    """Minibatch training with Adam and global-norm clipping; returns every step's loss.

    x: (N, TX, 37), y: (N, TY). Stops after `epochs`, or earlier once `time_budget`
    seconds of training have passed. on_epoch(epoch, seconds of training so far) is called
    after each epoch, outside the clock. The progress bar goes to `out` (default stdout).
    BLAS runs on one thread meanwhile (see rnnlab.blas).
    """
    out = out or sys.stdout
    rng, optimizer, losses = np.random.default_rng(seed), Adam(lr), []
    steps, clock = len(x) // batch_size, 0.0
    with blas_thread_limit(1):
        for epoch in range(1, epochs + 1):
            order, start = rng.permutation(len(x)), time.perf_counter()
            for step in range(steps):
                if time_budget is not None and clock + time.perf_counter() - start >= time_budget:
                    break
                batch = order[step * batch_size : (step + 1) * batch_size]
                losses.append(_step(model, optimizer, x[batch], y[batch], max_norm))
                _show(out, epoch, epochs, step + 1, steps, losses[-1])
            clock += time.perf_counter() - start
            print(f" ({clock:.0f} s)", file=out)
            if on_epoch:
                on_epoch(epoch, clock)
            if time_budget is not None and clock >= time_budget:
                break
    return losses


def plot_losses(losses, path) -> None:
    """Save the loss curve (one point per step, log scale) at `path`, drawn by the Agg
    backend directly, so pyplot's backend (e.g. a notebook's) is left alone."""
    fig = Figure(figsize=(6, 3.5))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.semilogy(losses, linewidth=0.8)
    ax.set_xlabel("training step")
    ax.set_ylabel("cross-entropy loss")
    ax.set_title("Date translator training")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--time-budget", type=float, default=None, help="seconds of training")
    parser.add_argument("--out", type=Path, default=Path("date_translator.npz"))
    parser.add_argument("--figure", type=Path, help="loss curve (default: <out>_loss.png)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--train-size", type=int, default=50_000)
    parser.add_argument("--batch-size", type=int, default=64)
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse(argv)
    x, y = arrays(make_dataset(args.train_size, args.seed))
    x_test, y_test = arrays(make_dataset(1000, HELD_OUT_SEED, split="test"))
    model = DateTranslator(seed=args.seed)

    def report(epoch, seconds):
        print(
            f"  held-out exact match after epoch {epoch}: {exact_match(model, x_test, y_test):.1%}"
        )

    options = {"batch_size": args.batch_size, "seed": args.seed, "time_budget": args.time_budget}
    losses = train(model, x, y, args.epochs, on_epoch=report, **options)
    save_weights(model, args.out)
    figure = args.figure or args.out.with_name(args.out.stem + "_loss.png")
    plot_losses(losses, figure)
    print(f"weights saved to {args.out}, loss curve to {figure}")


if __name__ == "__main__":
    main()
