"""nbval runs the solution notebooks, whose graded cells ask a grader for their report.

When pytest runs with --nbval, a grader for the solutions listens on a private Unix socket
in this process (instructor.engine.grader, the code being the masters themselves), and the
notebooks' kernels find it through RNNLAB_GRADER_SOCKET. The kernels are not sandboxed:
they run the course's own solutions.
"""

import os
import tempfile
from pathlib import Path


def pytest_configure(config):
    if not (config.getoption("nbval", False) or config.getoption("nbval_lax", False)):
        return
    from instructor.engine.grader import Grader

    folder = Path(tempfile.mkdtemp(prefix="rnnlab-nbval-grader-"))
    grader = Grader(folder / "grader.sock", None, exercise_seconds=120)
    grader.start()
    os.environ["RNNLAB_GRADER_SOCKET"] = str(grader.socket_path)
    config._rnnlab_grader = grader


def pytest_unconfigure(config):
    grader = getattr(config, "_rnnlab_grader", None)
    if grader is not None:
        grader.close()
