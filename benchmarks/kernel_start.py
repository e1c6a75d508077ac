"""Benchmark: what the sandbox costs per kernel and per student.

    PYTHONPATH=. .venv/bin/python benchmarks/kernel_start.py [--notebooks 10]

In one run it times a one-cell notebook (the imports of a lesson's setup cell) run by
nbclient with the kernel client and shutdown nbgrader uses for grading (PromptClient,
immediate shutdown), read from the course's instructor/engine/nbgrader_config.py:

- in a kernel forked by the zygote of a bubblewrap sandbox (instructor.engine.provisioner);
- in a fresh local ipykernel, as plain nbgrader (and --no-sandbox) starts one, baseline;

and the start and stop of one sandbox, which each student's grading pays once. It prints
medians and the ratio of each to the baseline.
"""

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import nbformat
from jupyter_client.provisioning import KernelProvisionerFactory
from nbclient import NotebookClient
from traitlets.config.loader import PyFileConfigLoader

from instructor.engine.course import CONFIG
from instructor.engine.provisioner import use_sandbox
from instructor.engine.sandbox import Limits, Sandbox

SETUP = "import matplotlib.pyplot as plt\nimport numpy as np"


def _notebook():
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(SETUP)])
    notebook.metadata.kernelspec = {"name": "python3", "display_name": "Python 3"}
    return notebook


def median_run(count: int) -> float:
    """Median seconds of one notebook's run, start and shutdown of its kernel included."""
    config = PyFileConfigLoader(str(CONFIG)).load_config()
    shutdown = config.Execute.shutdown_kernel
    times = []
    for _ in range(count):
        started = time.perf_counter()
        client = NotebookClient(
            _notebook(), config=config, kernel_name="python3", shutdown_kernel=shutdown
        )
        client.execute()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notebooks", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-kernel-") as tmp:
        started = time.perf_counter()
        sandbox = Sandbox(Path(tmp) / "sandbox", Limits())
        sandbox.start()
        start_seconds = time.perf_counter() - started
        use_sandbox(sandbox, lambda *_: None, lambda *_: None)
        boxed = median_run(args.notebooks)
        started = time.perf_counter()
        sandbox.stop()
        stop_seconds = time.perf_counter() - started
    KernelProvisionerFactory.instance().default_provisioner_name = "local-provisioner"
    fresh = median_run(args.notebooks)
    print(f"setup cell, fresh local ipykernel (baseline): {fresh:.3f} s")
    print(f"setup cell, kernel forked in the sandbox:     {boxed:.3f} s  "
          f"({boxed / fresh:.2f}x the baseline, {boxed - fresh:+.3f} s per kernel)")  # fmt: skip
    print(f"sandbox start + stop, once per student:             "
          f"{start_seconds + stop_seconds:.3f} s")  # fmt: skip


if __name__ == "__main__":
    main()
