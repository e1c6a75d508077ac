"""Start grading kernels by forking a process that has already imported what they need.

A fresh ipykernel costs about a second of CPU before the first cell runs: the interpreter,
ipykernel, numpy and matplotlib. nbgrader starts one per notebook. Grading a class, we
start a *zygote* once per student instead: a process with those imports done and no
threads. Each kernel is a fork of it, so it starts in milliseconds with a clean state of
its own (nothing a kernel does reaches the zygote or another kernel).

`ForkedKernelProvisioner` is the jupyter_client provisioner that asks the zygote for a
kernel; `use_zygote()` starts the zygote and makes the provisioner the default in this
process. Without the zygote (it died, or the kernel is not ipykernel) kernels start the
usual way.
"""

import atexit
import json
import os
import signal
import socket
import subprocess
import sys
import time
from importlib.metadata import EntryPoint

from jupyter_client.provisioning import LocalProvisioner
from jupyter_client.provisioning.factory import KernelProvisionerFactory

NAME = "rnnlab-forked-kernel"
PRELOAD = ("numpy", "matplotlib.pyplot", "ipykernel.kernelapp")
OURS = ("instructor", "grader_tests", "rnnlab")  # imported afresh by each kernel

_zygote: socket.socket | None = None  # this process's end of the zygote's socket


class _ForkedKernel:
    """The Popen-like handle LocalProvisioner expects, for a kernel the zygote forked.

    The zygote reaps its children, so the exit code is not known: 0 once gone.
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode = None

    def poll(self):
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = 0
        return self.returncode

    def wait(self, timeout=None):
        while self.poll() is None:
            time.sleep(0.01)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class ForkedKernelProvisioner(LocalProvisioner):
    """LocalProvisioner whose ipykernel kernels are forks of the zygote."""

    async def launch_kernel(self, cmd: list, **kwargs):
        if _zygote is None or "ipykernel_launcher" not in cmd or "-f" not in cmd:
            return await super().launch_kernel(cmd, **kwargs)
        request = {
            "connection_file": cmd[cmd.index("-f") + 1],
            "cwd": str(kwargs.get("cwd") or os.getcwd()),
            "env": dict(kwargs.get("env") or os.environ),
        }
        try:
            _zygote.sendall((json.dumps(request) + "\n").encode())
            pid = int(_read_line(_zygote))
        except (OSError, ValueError):  # the zygote is gone: start kernels the usual way
            return await super().launch_kernel(cmd, **kwargs)
        self.process = _ForkedKernel(pid)
        self.pid = self.pgid = pid  # the kernel leads its own process group
        self.cwd = request["cwd"]
        return self.connection_info


def _read_line(sock: socket.socket) -> str:
    data = b""
    while not data.endswith(b"\n"):
        chunk = sock.recv(64)
        if not chunk:
            raise OSError("the zygote closed its socket")
        data += chunk
    return data.decode()


def use_zygote() -> None:
    """Fork the zygote now (call before any thread starts) and make kernels come from it."""
    global _zygote
    parent_end, zygote_end = socket.socketpair()
    pid = os.fork()
    if pid == 0:
        parent_end.close()
        _serve(zygote_end)  # never returns
    zygote_end.close()
    _zygote = parent_end
    atexit.register(parent_end.close)  # the zygote sees EOF, kills its kernels and exits
    factory = KernelProvisionerFactory.instance()
    factory.provisioners[NAME] = EntryPoint(
        NAME, f"{__name__}:ForkedKernelProvisioner", KernelProvisionerFactory.GROUP_NAME
    )
    factory.default_provisioner_name = NAME


def _serve(sock: socket.socket) -> None:
    """The zygote: import, then fork one kernel per request until the socket closes."""
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    for module in PRELOAD:
        __import__(module)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # kernels are reaped as they end
    kernels = []
    paths: dict = {}
    reader = sock.makefile("r")
    for line in reader:
        request = json.loads(line)
        request["path"] = paths.setdefault(
            request["env"].get("PYTHONPATH", ""), _fresh_sys_path(request["env"])
        )
        pid = os.fork()
        if pid == 0:
            reader.close()
            sock.close()
            _run_kernel(request)
        try:
            os.setpgid(pid, pid)
        except OSError:  # the kernel already did it, or is gone
            pass
        kernels.append(pid)
        sock.sendall(f"{pid}\n".encode())
    for pid in kernels:
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
    os._exit(0)


def _fresh_sys_path(env: dict) -> list:
    """sys.path of a new interpreter started with `env` (without its script directory)."""
    probe = "import json, sys; print(json.dumps(sys.path[1:]))"
    output = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(output)


def _run_kernel(request: dict) -> None:
    """In the forked kernel: become a fresh process of the request's environment, then
    run ipykernel as `python -m ipykernel_launcher -f CONNECTION_FILE` would."""
    atexit._clear()  # the handlers of the processes it was forked from are not its own
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    os.setpgid(0, 0)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.path[:] = request["path"]
    for name in [m for m in sys.modules if m.split(".")[0] in OURS]:
        del sys.modules[name]
    from ipykernel import kernelapp

    try:
        parent = f"--IPKernelApp.parent_handle={os.getppid()}"  # ends when the zygote ends
        kernelapp.launch_new_instance(argv=["-f", request["connection_file"], parent])
    finally:
        atexit._run_exitfuncs()
        os._exit(0)
