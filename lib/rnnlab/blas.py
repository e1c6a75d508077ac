"""Read and set the number of threads of the OpenBLAS that NumPy's wheel bundles.

The products of a recurrent network are small ((64, 64) @ (64, 256) per step); spread over
several threads they wait for each other, and on a busy machine a product can take 100
times longer. Training therefore runs BLAS on one thread. Without NumPy's bundled
OpenBLAS (another build), blas_threads() returns None and set_blas_threads does nothing.
"""

import ctypes
from contextlib import contextmanager
from pathlib import Path

import numpy as np

_SYMBOLS = {
    "get": ("scipy_openblas_get_num_threads64_", "openblas_get_num_threads"),
    "set": ("scipy_openblas_set_num_threads64_", "openblas_set_num_threads"),
}


def _function(kind: str):
    """The OpenBLAS function `kind` ("get" or "set") of NumPy's bundled library, or None."""
    for path in sorted((Path(np.__file__).parent.parent / "numpy.libs").glob("*openblas*.so*")):
        library = ctypes.CDLL(str(path))
        for name in _SYMBOLS[kind]:
            if hasattr(library, name):
                return getattr(library, name)
    return None


def blas_threads() -> int | None:
    """How many threads NumPy's matrix products use, or None if unknown."""
    get = _function("get")
    return None if get is None else int(get())


def set_blas_threads(n: int) -> None:
    """Make NumPy's matrix products use n threads (for this process, from now on)."""
    set_ = _function("set")
    if set_ is not None:
        set_(ctypes.c_int(n))


@contextmanager
def blas_thread_limit(n: int):
    """Within the `with` block NumPy's matrix products use n threads; restored afterwards."""
    before = blas_threads()
    set_blas_threads(n)
    try:
        yield
    finally:
        if before is not None:
            set_blas_threads(before)
