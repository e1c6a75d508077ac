"""JupyterLab as a student or an instructor gets it, from the course environment.

    python -m instructor.lab student [JUPYTER LAB OPTIONS]
    python -m instructor.lab instructor [JUPYTER LAB OPTIONS]

A role is a Jupyter configuration folder, `jupyter/<role>/`, put on `JUPYTER_CONFIG_PATH`
(searched after the user's own `~/.jupyter` and before the environment's `etc/jupyter`):

- `labconfig/page_config.json` switches nbgrader's JupyterLab plugins off or on
  (`disabledExtensions`): students lose Create Assignment, Formgrader and Course List;
- `jupyter_server_config.d/rnnlab-role.json` switches nbgrader's server extensions off or
  on (`ServerApp.jpserver_extensions`): a student's server has no /formgrader at all.

Students keep the Assignments list (fetch, submit, feedback) and the Validate button. On
JupyterHub the same folders are chosen per user (hub/jupyterhub_config.py).

`LabServer` runs such a JupyterLab on 127.0.0.1 for tests: a free port, a token, and
private config, data and runtime folders.
"""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil

from instructor.engine.course import ROOT

ROLES = {"student", "instructor"}
ROLE_CONFIGS = ROOT / "jupyter"


def role_environment(role: str, env: dict | None = None) -> dict:
    """A copy of `env` (default os.environ) whose Jupyter configuration is the role's."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}: choose one of {sorted(ROLES)}")
    env = dict(os.environ if env is None else env)
    extra = env.get("JUPYTER_CONFIG_PATH")
    folders = [str(ROLE_CONFIGS / role)] + ([extra] if extra else [])
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(folders)
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LabServer:
    """A JupyterLab server for `role` serving `root_dir`, started and stopped as a context.

    Its config, data and runtime folders are private (under `state_dir`), so nothing the
    user installed changes what it shows. `url(path)` gives an address with the token.
    """

    def __init__(self, role: str, root_dir: Path, state_dir: Path, cwd: Path | None = None):
        self.role, self.root_dir, self.state_dir = role, Path(root_dir), Path(state_dir)
        self.cwd = Path(cwd or root_dir)  # nbgrader reads nbgrader_config.py from here
        self.port, self.token = free_port(), secrets.token_hex(16)
        self.log_path = self.state_dir / f"jupyterlab-{role}.log"
        self.process: subprocess.Popen | None = None

    def environment(self) -> dict:
        env = role_environment(self.role)
        for name in ("CONFIG", "DATA", "RUNTIME"):
            folder = self.state_dir / name.lower()
            folder.mkdir(parents=True, exist_ok=True)
            env[f"JUPYTER_{name}_DIR"] = str(folder)
        no_news = self.state_dir / "config" / "lab" / "user-settings" / "@jupyterlab"
        no_news = no_news / "apputils-extension" / "notification.jupyterlab-settings"
        no_news.parent.mkdir(parents=True, exist_ok=True)
        no_news.write_text('{"fetchNews": "false"}')  # no "get Jupyter news?" question
        env["IPYTHONDIR"] = str(self.state_dir / "ipython")
        env["PYTHONPATH"] = str(ROOT)
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        return env

    def url(self, path: str = "lab") -> str:
        joiner = "&" if "?" in path else "?"
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}{joiner}token={self.token}"

    def start(self, timeout: float = 60) -> "LabServer":
        command = [
            sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
            "--ip=127.0.0.1", f"--port={self.port}", "--port-retries=0",
            f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root_dir}",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ]  # fmt: skip
        self.state_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen(
                command, cwd=self.cwd, env=self.environment(), stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        self._wait_until_ready(timeout)
        return self

    def _wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited: see {self.log_path}")
            try:
                with urllib.request.urlopen(self.url("api/status"), timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise TimeoutError(f"JupyterLab not ready after {timeout} s: see {self.log_path}")

    def status(self, path: str) -> int:
        """The HTTP status of a GET of `path` on this server (with the token)."""
        try:
            with urllib.request.urlopen(self.url(path), timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def stop(self) -> None:
        """Stop the server and whatever it started (kernels)."""
        if self.process is not None:
            stop_process_tree(self.process)

    def __enter__(self) -> "LabServer":
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()


def stop_process_tree(process: subprocess.Popen, timeout: float = 15) -> None:
    """SIGTERM a server started with start_new_session, then kill what it left running."""
    if process.poll() is not None:
        return
    try:
        children = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        children = []
    process.send_signal(signal.SIGTERM)  # a Jupyter server shuts its kernels down
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    for child in children:
        try:
            child.kill()
        except psutil.NoSuchProcess:
            pass


def main(argv=None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in ROLES:
        sys.exit(__doc__.split("\n\n")[1])
    env = role_environment(argv[0])
    os.execve(sys.executable, [sys.executable, "-m", "jupyterlab", *argv[1:]], env)


if __name__ == "__main__":
    main()
