"""A student's grading process dies with the process that asked for it (a Dask worker killed
mid-task, a grading run killed), rather than running on, unread, beside the next student."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from instructor.engine.course import ROOT

# Starts, from the grading server, one process that dies with the starter (as a student's
# grading process does) and one that does not; they write their pids; waits to be killed.
STARTER = """
import os, sys, time
from instructor.engine import student

def hold(path, requester):
    os.setsid()
    if requester:
        student._die_with(requester)
    with open(path, "w") as out:
        out.write(str(os.getpid()))
    time.sleep(300)

if __name__ == "__main__":
    for name, requester in (("dies", os.getpid()), ("stays", 0)):
        student._SERVER.Process(target=hold, args=(sys.argv[1] + name, requester)).start()
    time.sleep(300)
"""


def _alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie waiting for its reaper does not)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


def _pid(path: Path, seconds: float = 60) -> int:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.is_file() and path.read_text():
            return int(path.read_text())
        time.sleep(0.1)
    raise AssertionError(f"{path.name}: the process never started")


def test_a_grading_process_dies_when_the_process_that_started_it_is_killed(tmp_path):
    script = tmp_path / "starter.py"
    script.write_text(STARTER)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "lib")])}
    starter = subprocess.Popen([sys.executable, str(script), str(tmp_path / "pid-")], env=env)
    try:
        dies, stays = (_pid(tmp_path / f"pid-{name}") for name in ("dies", "stays"))
        starter.send_signal(signal.SIGKILL)
        starter.wait()
        deadline = time.monotonic() + 10
        while _alive(dies) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(dies), "the grading process outlived the process that started it"
        assert _alive(stays), "the check cannot tell: a process without it died as well"
    finally:
        starter.kill()
        for name in ("dies", "stays"):
            path = tmp_path / f"pid-{name}"
            if path.is_file() and path.read_text() and _alive(int(path.read_text())):
                os.kill(int(path.read_text()), signal.SIGKILL)
