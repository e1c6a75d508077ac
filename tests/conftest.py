"""Shared test tools."""

import signal
from contextlib import contextmanager

import pytest


@contextmanager
def _deadline(seconds: float):
    """Fail instead of hanging: raise TimeoutError if the block runs longer than `seconds`."""

    def expire(_signum, _frame):
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="session")
def deadline():
    """`with deadline(seconds):` fails a test whose block would block or loop forever."""
    return _deadline
