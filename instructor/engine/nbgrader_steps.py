"""Run one student's nbgrader steps, autograde then generate_feedback, in one process.

The process is forked from a server that has already imported nbgrader and ipykernel
(multiprocessing's forkserver), so a student costs no start-up; its kernels are forks of a
zygote (instructor.engine.kernel_zygote). It leads its own process group, under the course's
memory limit, and writes nbgrader's log to the course directory.
"""

import multiprocessing
import os
import signal
import sys

from nbgrader.apps.nbgraderapp import NbGraderApp

from instructor.engine.course import CourseDir, limit_resources
from instructor.engine.kernel_zygote import use_zygote

STEPS = ("autograde", "generate_feedback")
_SERVER = multiprocessing.get_context("forkserver")
_SERVER.set_forkserver_preload([__name__, "ipykernel.kernelapp"])


def run_steps(course_dir: CourseDir, student_id: str, timeout: float) -> int:
    """Autograde and give feedback on all of `student_id`'s lessons in `course_dir`.

    Returns the exit code: 0, the first failing step's code, or -9 when killed after
    `timeout` seconds.
    """
    log = course_dir.root / "nbgrader.log"
    process = _SERVER.Process(
        target=_child, args=(str(course_dir.root), student_id, course_dir.environment(), str(log))
    )
    process.start()
    process.join(timeout)
    if process.exitcode is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except OSError:
            process.kill()
        process.join()
        return -signal.SIGKILL
    return process.exitcode


def _child(root: str, student_id: str, env: dict, log: str) -> None:
    limit_resources()
    output = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(output, 1)
    os.dup2(output, 2)
    os.chdir(root)
    os.environ.clear()
    os.environ.update(env)
    use_zygote()
    arguments = ["*", f"--student={student_id}", "--force", f"--CourseDirectory.root={root}"]
    codes = [_launch([step, *arguments]) for step in STEPS]
    sys.exit(next((code for code in codes if code), 0))


def _launch(argv: list) -> int:
    NbGraderApp.clear_instance()
    try:
        NbGraderApp.launch_instance(argv=argv)
    except SystemExit as exit:
        return exit.code if isinstance(exit.code, int) else 1
    return 0
