"""Kernels forked from the zygote behave like freshly started ones: their own process,
state, directory, environment and import path; interrupts reach them; none outlives
the process that asked for them."""

import json
import os
import subprocess
import sys
import textwrap
import time

import pytest

from instructor.engine.course import ROOT

DRIVER = textwrap.dedent(
    """
    import json, sys
    import nbformat
    from nbclient import NotebookClient
    from instructor.engine.kernel_zygote import use_zygote

    use_zygote()
    cwd = sys.argv[1]

    def run(*sources):
        cells = [nbformat.v4.new_code_cell(source) for source in sources]
        notebook = nbformat.v4.new_notebook(cells=cells)
        client = NotebookClient(
            notebook, kernel_name="python3", timeout=3, interrupt_on_timeout=True,
            allow_errors=True, resources={"metadata": {"path": cwd}},
        )
        client.execute()
        return [[o.get("text", o.get("ename")) for o in cell.outputs] for cell in notebook.cells]

    probe = (
        "import json, os, sys\\n"
        "marker = 1\\n"
        "print(json.dumps({'pid': os.getpid(), 'ppid': os.getppid(), 'cwd': os.getcwd(),"
        " 'path': sys.path, 'probe': os.environ.get('RNNLAB_PROBE'),"
        " 'grader_loaded': 'grader_tests' in sys.modules}))"
    )
    first = run(probe)
    second = run("print('marker' in globals())", "while True: pass", "print('after')")
    print(json.dumps({"driver": __import__("os").getpid(), "first": first, "second": second}))
    """
)


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("kernel-cwd")
    code_root = tmp_path_factory.mktemp("code-root")
    env = {**os.environ, "RNNLAB_PROBE": "seen", "PYTHONPATH": f"{code_root}{os.pathsep}{ROOT}"}
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, str(workdir)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["kernel"] = json.loads(result["first"][0][0])
    return result, workdir, code_root


def test_kernel_is_a_fork_of_the_zygote_not_a_child_of_the_client(session):
    result, _, _ = session
    assert result["kernel"]["ppid"] != result["driver"]


def test_kernel_has_the_requested_directory_environment_and_path(session):
    result, workdir, code_root = session
    kernel = result["kernel"]
    assert os.path.samefile(kernel["cwd"], workdir)
    assert kernel["probe"] == "seen"
    assert str(code_root) in kernel["path"]
    assert kernel["path"].index(str(code_root)) < kernel["path"].index(str(ROOT))
    assert not kernel["grader_loaded"]


def test_each_kernel_starts_with_fresh_state(session):
    result, _, _ = session
    assert result["second"][0] == ["False\n"]


def test_a_cell_past_its_time_limit_is_interrupted_and_the_next_cell_runs(session):
    result, _, _ = session
    assert result["second"][1] == ["KeyboardInterrupt"]
    assert result["second"][2] == ["after\n"]


def test_no_kernel_outlives_the_client(session):
    result, _, _ = session
    pid = result["kernel"]["pid"]
    for _ in range(50):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    pytest.fail(f"kernel {pid} still running")
