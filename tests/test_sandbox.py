"""The sandbox itself, tried with unrestricted Python (no rules applied): nobody, no
network, no view of the repository, the output or other processes, nothing writable but
small private folders, resource limits, no programs in a kernel, and nothing that outlives
the process that started it. Where bwrap cannot start, grading refuses with the reason."""

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time

import pytest

from instructor.engine import sandbox as sandbox_module
from instructor.engine.course import ROOT
from instructor.engine.run import GraderFault, grade_class
from instructor.engine.sandbox import (
    LIB,
    Cgroups,
    Limits,
    Sandbox,
    SandboxUnavailable,
    bwrap_command,
    cgroup_controllers,
)

CHANNELS = ("shell", "iopub", "stdin", "control", "hb")


def run_inside(tmp_path, code: str, limits: Limits | None = None) -> dict:
    """Run `code` as a script in a sandbox like a student's; the JSON it printed last."""
    limits = limits or Limits()
    channel = tmp_path / "channel"
    channel.mkdir(exist_ok=True)
    read, write = os.pipe()
    command = bwrap_command(channel, limits, [sys.executable, "-c", textwrap.dedent(code)], write)
    cgroups = Cgroups(limits)

    def limit():
        limits.apply()
        cgroups.enter()

    try:
        done = subprocess.run(
            command, pass_fds=[write], capture_output=True, text=True, timeout=120, preexec_fn=limit
        )
    finally:
        cgroups.remove()
        os.close(write)
        os.close(read)
    assert done.stdout.strip(), done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_student_is_nobody_without_privileges_in_namespaces_of_its_own(tmp_path):
    seen = run_inside(
        tmp_path,
        """
        import json, os, socket
        status = dict(line.split(":", 1) for line in open("/proc/self/status"))
        print(json.dumps({
            "uid": os.getuid(), "gid": os.getgid(), "pid": os.getpid(),
            "processes": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
            "caps": status["CapEff"].strip(), "no_new_privs": status["NoNewPrivs"].strip(),
            "host": socket.gethostname(), "interfaces": [n for _, n in socket.if_nameindex()],
        }))
        """,
    )
    assert (seen["uid"], seen["gid"]) == (65534, 65534)
    assert seen["caps"] == "0000000000000000" and seen["no_new_privs"] == "1"
    assert max(seen["processes"]) < 10, seen["processes"]  # its own PID namespace
    assert seen["host"] != socket.gethostname()
    assert seen["interfaces"] == ["lo"]


def test_no_connection_leaves_the_sandbox(tmp_path):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    seen = run_inside(
        tmp_path,
        f"""
        import json, socket
        errors = []
        for host in ("127.0.0.1", "localhost", "1.1.1.1"):
            try:
                socket.create_connection((host, {port}), timeout=2)
                errors.append("connected to " + host)
            except OSError as error:
                errors.append(type(error).__name__)
        print(json.dumps(errors))
        """,
    )
    listener.settimeout(0.5)
    with pytest.raises(TimeoutError):
        listener.accept()
    listener.close()
    assert not any(e.startswith("connected") for e in seen), seen


def test_the_repository_output_and_home_are_absent_and_the_rest_read_only(tmp_path):
    marker = tmp_path / "outside" / "MARKER"
    marker.parent.mkdir()
    seen = run_inside(
        tmp_path,
        f"""
        import json, os
        paths = {{
            "solutions": {str(ROOT / "solutions")!r},
            "grader_tests": {str(ROOT / "grader_tests")!r},
            "output": {str(tmp_path / "outside")!r},
            "root_home": "/root/.bash_history",
        }}
        visible = {{name: os.path.exists(path) for name, path in paths.items()}}
        written = []
        for folder in ["/", "/usr", "/etc", "/notebook", "/run", "/dev", {str(LIB)!r},
                       "/tmp", "/home/student", "/run/kernels", "/dev/shm",
                       {str(marker.parent)!r}]:
            try:
                open(os.path.join(folder, "MARKER"), "w").write("x")
                written.append(folder)
            except OSError:
                pass
        print(json.dumps({{"visible": visible, "written": written}}))
        """,
    )
    assert not any(seen["visible"].values()), seen["visible"]
    assert seen["written"] == ["/tmp", "/home/student", "/run/kernels", "/dev/shm"]
    assert not marker.exists()


def test_resource_limits_hold(tmp_path):
    limits = Limits(file_size=8 * 1024**2, processes=64, tmpfs=16 * 1024**2)
    seen = run_inside(
        tmp_path,
        """
        import json, threading, time
        result = {}
        try:
            bytearray(5 * 1024**3)
            result["memory"] = "allocated"
        except MemoryError:
            result["memory"] = "MemoryError"
        try:
            open("/home/student/big", "wb").write(b"x" * 20 * 1024**2)
            result["file"] = "written"
        except OSError as error:
            result["file"] = error.strerror
        try:
            for index in range(20):
                open(f"/tmp/f{index}", "wb").write(b"x" * 4 * 1024**2)
            result["tmpfs"] = "filled"
        except OSError as error:
            result["tmpfs"] = error.strerror
        threads = []
        try:
            for _ in range(200):
                thread = threading.Thread(target=time.sleep, args=(2,))
                thread.start()
                threads.append(thread)
            result["threads"] = "all started"
        except RuntimeError:
            result["threads"] = len(threads)
        print(json.dumps(result))
        """,
        limits,
    )
    assert seen["memory"] == "MemoryError"
    assert seen["file"] == "File too large"
    assert seen["tmpfs"] == "No space left on device"
    if os.geteuid() == 0 and "pids" not in cgroup_controllers():
        pytest.skip("as root, only a pids cgroup limits processes, and none can be made here")
    assert seen["threads"] != "all started" and seen["threads"] < 64


def test_a_kernel_may_not_execute_programs():
    code = textwrap.dedent(
        """
        import os, subprocess
        from autograde.zygote import forbid_exec
        forbid_exec()
        try:
            subprocess.run(["/bin/true"])
        except PermissionError:
            os._exit(0)
        os._exit(1)
        """
    )
    env = {**os.environ, "PYTHONPATH": str(LIB)}
    assert subprocess.run([sys.executable, "-c", code], env=env, timeout=60).returncode == 0


def test_the_sandbox_dies_with_the_process_that_started_it(tmp_path):
    starter = textwrap.dedent(
        f"""
        import sys, time
        from pathlib import Path
        from instructor.engine.sandbox import Sandbox
        box = Sandbox(Path({str(tmp_path)!r}))
        box.start()
        print(box.root.parent.name, flush=True)
        time.sleep(600)
        """
    )
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{LIB}"}
    process = subprocess.Popen([sys.executable, "-c", starter], env=env, stdout=subprocess.PIPE)
    inner = int(process.stdout.readline())
    assert os.path.exists(f"/proc/{inner}")
    process.send_signal(signal.SIGKILL)
    process.wait()
    for _ in range(100):
        if not os.path.exists(f"/proc/{inner}"):
            break
        time.sleep(0.05)
    assert not os.path.exists(f"/proc/{inner}")


def test_cleanup_kills_every_process_but_the_zygote(tmp_path):
    box = Sandbox(tmp_path)
    box.start()

    def processes():
        return sorted(int(p) for p in os.listdir(box.root / "proc") if p.isdigit())

    connection = {
        "transport": "ipc",
        "ip": "/run/kernels/k1",
        **{f"{name}_port": port for port, name in enumerate(CHANNELS, start=1)},
        "key": "",
        "signature_scheme": "hmac-sha256",
    }
    try:
        kernel = box.start_kernel(connection, {})
        assert box.poll_kernel(kernel) is None
        assert kernel in processes()
        box.cleanup()
        assert processes() == [1, 2]  # bwrap's init and the zygote
        assert box.alive
    finally:
        box.stop()
    assert not box.alive


def test_grading_refuses_to_run_without_a_sandbox_and_says_why(tmp_path, monkeypatch):
    monkeypatch.setattr(sandbox_module, "bwrap_path", lambda: "/bin/false")
    with pytest.raises(SandboxUnavailable, match="bwrap did not start"):
        sandbox_module.check_available(tmp_path / "check")
    (tmp_path / "class").mkdir()
    with pytest.raises(GraderFault, match="--no-sandbox"):
        grade_class(tmp_path / "class", tmp_path / "out", ["01_rnn_forward"])


def test_an_environment_that_contains_the_repository_is_refused(monkeypatch):
    monkeypatch.setattr(sandbox_module, "REPOSITORY", LIB)
    with pytest.raises(SandboxUnavailable, match="would show the solutions"):
        sandbox_module._python_mounts()
