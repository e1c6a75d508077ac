"""Time the library LSTM's forward + backward against PyTorch's nn.LSTM on the CPU.

    python benchmarks/lstm_speed.py [--repeats 100] [--rounds 5] [--threads N]

Sizes N=32, T=30, D=37, H=64, in float64 and float32. PyTorch is not a course dependency:
when it is importable (e.g. from a separate venv with `pip install --no-deps -e` of this
repository) it is timed too, with torch.set_num_threads set to the number of threads
NumPy's OpenBLAS uses (its default, or `--threads`), and the ratios library / PyTorch are
printed. The contenders take turns for `rounds` rounds, so a change in the machine's load
hits both; each figure is the median over rounds of the median of `repeats` passes.
"""

import argparse
import os
import platform
import time

import numpy as np

from rnnlab.blas import blas_threads, set_blas_threads
from rnnlab.layers import LSTM

N, T, D, H = 32, 30, 37, 64


def median_seconds(step, repeats: int) -> float:
    """Median wall time of step() over `repeats` calls, after 5 warm-up calls."""
    for _ in range(5):
        step()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def library_step(dtype):
    """A forward + backward pass of rnnlab's LSTM in `dtype`, as a callable."""
    rng = np.random.default_rng(0)
    lstm = LSTM(D, H, rng, dtype)
    x = rng.standard_normal((N, T, D)).astype(dtype)
    dh = rng.standard_normal((N, T, H)).astype(dtype)

    def step():
        lstm.forward(x)
        lstm.backward(dh)

    return step


def torch_step(torch, dtype):
    """A forward + backward pass of torch.nn.LSTM (batch first) in `dtype`, as a callable."""
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(D, H, batch_first=True).to(dtype)
    x = torch.randn(N, T, D, dtype=dtype, requires_grad=True)
    dh = torch.randn(N, T, H, dtype=dtype)

    def step():
        lstm.zero_grad()
        x.grad = None
        out, _ = lstm(x)
        out.backward(dh)

    return step


def contenders(threads: int) -> dict:
    """{(name, dtype name): step} for the library and, if importable, PyTorch."""
    steps = {("library", np.dtype(d).name): library_step(d) for d in (np.float64, np.float32)}
    try:
        import torch
    except ImportError:
        print("PyTorch not importable: no comparison")
        return steps
    torch.set_num_threads(threads)
    print(f"PyTorch {torch.__version__}, torch.set_num_threads({threads})")
    for dtype in (torch.float64, torch.float32):
        steps[("PyTorch", str(dtype).removeprefix("torch."))] = torch_step(torch, dtype)
    return steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, help="BLAS threads (default: NumPy's own)")
    args = parser.parse_args()
    if args.threads:
        set_blas_threads(args.threads)
    threads = blas_threads() or os.cpu_count()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores")
    print(f"NumPy {np.__version__}, OpenBLAS threads {threads}; N={N} T={T} D={D} H={H}")
    steps = contenders(threads)
    times = {key: [] for key in steps}
    for _ in range(args.rounds):
        for key, step in steps.items():
            times[key].append(median_seconds(step, args.repeats))
    medians = {key: float(np.median(values)) for key, values in times.items()}
    for (name, dtype), seconds in medians.items():
        ratio = ""
        if name == "library" and ("PyTorch", dtype) in medians:
            ratio = f"; library / PyTorch = {seconds / medians[('PyTorch', dtype)]:.2f}"
        print(f"{name:8s} {dtype}: {seconds * 1e3:6.2f} ms forward+backward{ratio}")


if __name__ == "__main__":
    main()
