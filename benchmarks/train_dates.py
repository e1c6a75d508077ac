"""Measure the date translator's training: wall time and held-out exact-match accuracy.

    python benchmarks/train_dates.py [--epochs 3] [--train-size 50000] [--time-budget 150]

Trains exactly as `python -m rnnlab.train_dates` does (same data, sizes and seed), prints
the exact-match accuracy on the 1,000 held-out dates after each epoch with the training
wall time so far (evaluation excluded), and the first time it reached 99%.
Target: at least 99% within 150 s of training on a 2-core machine.
"""

import argparse
import io
import os
import platform

from rnnlab.dates import make_dataset
from rnnlab.train_dates import HELD_OUT_SEED, arrays, exact_match, train
from rnnlab.translator import DateTranslator


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--train-size", type=int, default=50_000)
    parser.add_argument("--time-budget", type=float, default=150.0)
    args = parser.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores")
    x, y = arrays(make_dataset(args.train_size, 0))
    x_test, y_test = arrays(make_dataset(1000, HELD_OUT_SEED, split="test"))
    model, reached = DateTranslator(seed=0), []

    def report(epoch, seconds):
        accuracy = exact_match(model, x_test, y_test)
        print(f"epoch {epoch}: {seconds:6.1f} s of training, held-out exact match {accuracy:.1%}")
        if accuracy >= 0.99 and not reached:
            reached.append(seconds)

    train(
        model, x, y, args.epochs, time_budget=args.time_budget, on_epoch=report, out=io.StringIO()
    )
    verdict = f"reached 99% after {reached[0]:.1f} s" if reached else "did not reach 99%"
    print(f"{verdict} (budget {args.time_budget:.0f} s)")


if __name__ == "__main__":
    main()
