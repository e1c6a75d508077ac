"""Jupyter kernels for nbgrader, started inside the student's sandbox.

`use_sandbox(sandbox, started, ended)` makes `SandboxProvisioner` the default kernel
provisioner of this process: each kernel nbgrader asks for is forked by the sandbox's
zygote, speaks ZMQ over `ipc` sockets in the sandbox's /run/kernels (reached from here
through /proc/<pid>/root), and when it is shut down the sandbox is cleaned for the next
notebook. `started(lesson)` and `ended()` tell the grader which notebook runs.

`use_local(socket, started, ended)` is the --no-sandbox mode: plain local kernels that
find the grader at `socket`. `PromptClient` is the kernel client nbgrader uses for both
(instructor/engine/nbgrader_config.py).
"""

import asyncio
import os
import signal
import time
from importlib.metadata import EntryPoint
from pathlib import Path
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.provisioning import LocalProvisioner
from jupyter_client.provisioning.factory import KernelProvisionerFactory

from instructor.engine.sandbox import INSIDE_KERNELS, Sandbox

NAME = "rnnlab-graded-kernel"
_hooks: dict = {}  # {"sandbox", "socket", "started", "ended", "count", "stop_kernel"}


class PromptClient(AsyncKernelClient):
    """jupyter_client's kernel client, ready as soon as the kernel has answered kernel_info
    on the shell channel and shown a message on IOPub (so IOPub is connected).

    jupyter_client's own wait_for_ready then waits for 0.2 s of silence on IOPub, to drop
    older messages: a kernel started for one notebook has none, and nbclient ignores the
    messages of other requests. That wait was 0.2 s of every notebook's run.
    """

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply":
                try:
                    await self.iopub_channel.get_msg(timeout=0.2)
                except Empty:
                    pass  # IOPub not connected yet: ask again
                else:
                    self._handle_kernel_info_reply(reply)
                    return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")


class _SandboxedKernel:
    """The Popen-like handle LocalProvisioner expects, for a kernel inside the sandbox."""

    stdin = stdout = stderr = None

    def __init__(self, sandbox: Sandbox, pid: int):
        self.sandbox, self.pid, self.returncode = sandbox, pid, None
        self.interrupts = 0

    def poll(self):
        if self.returncode is None:
            self.returncode = self.sandbox.poll_kernel(self.pid)
        return self.returncode

    def wait(self, timeout=None):
        return self.poll()

    def send_signal(self, signum: int) -> None:
        """nbgrader interrupts a cell that runs too long; a kernel that is still busy at
        the next timeout (it ignored the interrupt) is killed instead."""
        if signum == signal.SIGINT:
            self.interrupts += 1
            signum = signal.SIGKILL if self.interrupts > 1 else signum
        self.sandbox.signal_kernel(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class _Told(LocalProvisioner):
    """Tells the grader when a notebook's kernel starts and when it is gone."""

    def started(self, cwd) -> None:
        self.cwd = cwd
        _hooks["started"](Path(cwd or ".").name)

    async def cleanup(self, restart: bool = False) -> None:
        await super().cleanup(restart)
        if not restart:
            self.finish()
            _hooks["ended"]()

    def finish(self) -> None:
        """What to do once the kernel is gone, before the grader hears of it."""


class UnsandboxedProvisioner(_Told):
    """Plain local kernels that find the grader's socket (--no-sandbox)."""

    async def pre_launch(self, **kwargs):
        env = dict(kwargs.get("env") or os.environ)
        env["RNNLAB_GRADER_SOCKET"] = str(_hooks["socket"])
        return await super().pre_launch(**{**kwargs, "env": env})

    async def launch_kernel(self, cmd: list, **kwargs):
        info = await super().launch_kernel(cmd, **kwargs)
        self.started(kwargs.get("cwd"))
        return info


class SandboxProvisioner(_Told):
    """Kernels forked by the zygote of the student's sandbox (see the module)."""

    async def pre_launch(self, **kwargs):
        sandbox: Sandbox = _hooks["sandbox"]
        if not sandbox.alive:  # a notebook killed it: a fresh sandbox for the next one
            sandbox.stop()
            sandbox.start()
        _hooks["count"] += 1
        self.inside_ip = f"{INSIDE_KERNELS}/k{_hooks['count']}"
        km = self.parent
        km.transport = "ipc"
        km.ip = f"{sandbox.root}{self.inside_ip}"
        return await super().pre_launch(**kwargs)

    async def launch_kernel(self, cmd: list, **kwargs):
        sandbox: Sandbox = _hooks["sandbox"]
        inside = {
            key: value.decode() if isinstance(value, bytes) else value
            for key, value in self.connection_info.items()
        }
        inside["ip"] = self.inside_ip
        pid = sandbox.start_kernel(inside, dict(kwargs.get("env") or {}))
        if pid is None:
            raise RuntimeError("the sandbox did not start a kernel")
        self.process = _SandboxedKernel(sandbox, pid)
        _hooks["stop_kernel"] = self.process.kill
        self.started(kwargs.get("cwd"))
        return self.connection_info

    async def wait(self):
        while await self.poll() is None:
            await asyncio.sleep(0.05)
        self.process = None
        return 0

    def finish(self) -> None:
        _hooks["sandbox"].cleanup()


def _register(provisioner: str) -> None:
    factory = KernelProvisionerFactory.instance()
    factory.provisioners[NAME] = EntryPoint(
        NAME, f"{__name__}:{provisioner}", KernelProvisionerFactory.GROUP_NAME
    )
    factory.default_provisioner_name = NAME


def use_sandbox(sandbox: Sandbox, started, ended) -> None:
    """Make kernels of this process start in `sandbox`; call started(lesson) and ended()."""
    _hooks.update(sandbox=sandbox, started=started, ended=ended, count=0)
    _register("SandboxProvisioner")


def stop_kernel() -> None:
    """Kill the kernel that runs now (the grader gave up on it: it stopped answering)."""
    if "stop_kernel" in _hooks:
        _hooks["stop_kernel"]()


def use_local(socket_path: Path, started, ended) -> None:
    """Make kernels of this process plain local ones that find the grader at socket_path."""
    _hooks.update(socket=socket_path, started=started, ended=ended)
    _register("UnsandboxedProvisioner")
