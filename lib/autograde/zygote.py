"""Inside a student's sandbox: fork one Jupyter kernel per notebook from a loaded process.

    python -m autograde.zygote FD        # FD: the control socket the grader passed in

A kernel needs about a second of imports (ipykernel, numpy, matplotlib) before its first
cell. The zygote does them once per student, then forks a kernel per request, so each
notebook starts in milliseconds with a state of its own. It speaks JSON lines on FD:

    {"op": "start", "connection": {...}, "env": {...}}  -> {"pid": P}
    {"op": "signal", "pid": P, "signal": S}             -> {"ok": true}
    {"op": "poll", "pid": P}                            -> {"exit": code or null}
    {"op": "cleanup"}                                   -> {"ok": true}

"cleanup" ends a notebook's run: every other process of the sandbox is killed and the
writable folders are emptied, so nothing of one notebook reaches the next. The zygote is
not dumpable, so a kernel cannot read or write its memory. A kernel may not execute any
program (a seccomp filter refuses execve), so no compiler, shell or helper binary can run
in it: student code is Python in this one process.
"""

import ctypes
import json
import os
import platform
import shutil
import signal
import socket
import struct
import sys

WRITABLE = ("/tmp", "/home/student", "/run/kernels", "/dev/shm")
PR_SET_DUMPABLE, PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 4, 38, 22, 2
# {machine: (seccomp's architecture number, execve, execveat)}
EXEC_CALLS = {"x86_64": (0xC000003E, 59, 322), "aarch64": (0xC00000B7, 221, 281)}


def _seccomp_program(arch: int, execve: int, execveat: int) -> bytes:
    """A classic BPF program: execve and execveat fail with EPERM (as does any x32 call),
    other calls pass, and a call made with another architecture's numbers kills."""
    load, jeq, jge, ret = 0x20, 0x15, 0x35, 0x06
    allow, eperm, kill = 0x7FFF0000, 0x00050001, 0x80000000
    rows = [
        (load, 0, 0, 4),  # 0: the architecture
        (jeq, 0, 6, arch),  # 1: ours -> 2, else -> 8 (kill)
        (load, 0, 0, 0),  # 2: the call's number
        (jge, 3, 0, 0x40000000),  # 3: x32 calls -> 7 (refuse)
        (jeq, 2, 0, execve),  # 4: -> 7
        (jeq, 1, 0, execveat),  # 5: -> 7
        (ret, 0, 0, allow),  # 6
        (ret, 0, 0, eperm),  # 7
        (ret, 0, 0, kill),  # 8
    ]
    return b"".join(struct.pack("<HBBI", *row) for row in rows)


def forbid_exec() -> None:
    """From now on, this process and its children cannot execute a program."""
    arch, execve, execveat = EXEC_CALLS[platform.machine()]
    program = ctypes.create_string_buffer(_seccomp_program(arch, execve, execveat))

    class Program(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    fprog = Program(len(program.raw) // 8, ctypes.cast(program, ctypes.c_void_p))
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "seccomp filter refused")


def _preload() -> None:
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    import ipykernel.debugger  # noqa: F401  (imported by each kernel's start: 0.1 s)
    import ipykernel.kernelapp  # noqa: F401
    import matplotlib.pyplot  # noqa: F401
    import numpy  # noqa: F401

    import autograde.client  # noqa: F401  (loaded before any student code)


def main(fd: int) -> None:
    ctypes.CDLL(None).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    _preload()
    control = socket.socket(fileno=fd)
    reader = control.makefile("r")
    kernels: dict = {}
    control.sendall(b'{"ready": true}\n')
    for line in reader:
        request = json.loads(line)
        reply = _handle(request, kernels, control, reader)
        control.sendall((json.dumps(reply) + "\n").encode())
    os._exit(0)


def _handle(request: dict, kernels: dict, control, reader) -> dict:
    op = request.get("op")
    if op == "start":
        pid = os.fork()
        if pid == 0:
            reader.close()
            control.close()
            _run_kernel(request["connection"], request["env"])
        kernels[pid] = None
        return {"pid": pid}
    if op == "signal" and request.get("pid") in kernels:
        try:
            os.killpg(request["pid"], int(request["signal"]))
        except OSError:
            pass
        return {"ok": True}
    if op == "poll" and request.get("pid") in kernels:
        return {"exit": _reap(request["pid"], kernels)}
    if op == "cleanup":
        _cleanup(kernels)
        return {"ok": True}
    return {"error": f"unknown request {op!r}"}


def _reap(pid: int, kernels: dict):
    if kernels[pid] is None:
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done, status = pid, 0
        if done:
            kernels[pid] = os.waitstatus_to_exitcode(status)
    return kernels[pid]


def _cleanup(kernels: dict) -> None:
    """Kill every process of the sandbox but this one and init; empty the writable folders."""
    try:
        os.kill(-1, signal.SIGKILL)
    except OSError:
        pass
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            break
    kernels.clear()
    for folder in WRITABLE:
        for entry in os.scandir(folder) if os.path.isdir(folder) else []:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                os.unlink(entry.path)


def _run_kernel(connection: dict, env: dict) -> None:
    """In the forked child: become the kernel of one notebook."""
    try:
        os.setsid()
        forbid_exec()
        null = os.open(os.devnull, os.O_RDWR)
        for target in (0, 1, 2):
            os.dup2(null, target)
        os.environ.clear()
        os.environ.update(env)
        os.chdir("/notebook")  # empty and read-only: nothing written there can be imported
        path = "/run/kernels/connection.json"
        with open(path, "w") as handle:
            json.dump(connection, handle)
        from ipykernel import kernelapp

        kernelapp.launch_new_instance(argv=["-f", path])
    finally:
        os._exit(0)


if __name__ == "__main__":
    main(int(sys.argv[1]))
