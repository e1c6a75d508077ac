#!/usr/bin/env python3.11
"""Set up the pinned environment and run the course's jobs.

    python3.11 tasks.py demo    # instructor pipeline on the bundled sample class
    python3.11 tasks.py test    # every test: lint, library, grader, nbval, drift, sample class
    python3.11 tasks.py lock    # re-freeze requirements.lock from requirements.txt

The first call creates `.venv/` from `requirements.lock` (every package pinned) and installs
the `rnnlab` library in editable mode; later calls reuse it until the lock file changes.
`test` also installs what the browser, exchange and JupyterHub tests need where it can:
Debian's chromium, chromium-driver and acl (as root, when missing) and the npm package
configurable-http-proxy (into .venv/proxy/). Tests whose tools are missing are skipped, by
name, with the reason.
"""

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
STAMP = VENV / ".installed"
INPUTS = ("requirements.lock", "pyproject.toml")
# Debian packages for the tests, and a file each installs: a browser and its driver for the
# browser tests, setfacl for the exchange test's Unix users, a PostgreSQL server for the
# class gradebook's concurrent writers.
DEBIAN_PACKAGES = {
    "chromium": "/usr/bin/chromium",
    "chromium-driver": "/usr/bin/chromedriver",
    "acl": "/usr/bin/setfacl",
    "postgresql": "/usr/lib/postgresql",
}
PROXY = "configurable-http-proxy@5.3.0"  # JupyterHub's proxy, from the npm registry
PROXY_DIR = VENV / "proxy"


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for name in INPUTS:
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def _run(*args, **kwargs) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], check=True, **kwargs)


def ensure_venv() -> None:
    """Create or refresh .venv so it matches requirements.lock exactly."""
    if sys.version_info[:2] != (3, 11):
        sys.exit(f"Python 3.11 is required, this is {sys.version.split()[0]}")
    if STAMP.exists() and STAMP.read_text() == _fingerprint():
        return
    if not PYTHON.exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    _run(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip==25.3")
    _run(PYTHON, "-m", "pip", "install", "--quiet", "-r", ROOT / "requirements.lock")
    _run(PYTHON, "-m", "pip", "install", "--quiet", "--no-deps", "-e", ROOT)
    STAMP.write_text(_fingerprint())


def _try(*args, **kwargs) -> bool:
    """Run a set-up command quietly; True if it worked."""
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        print(f"  ({' '.join(map(str, args[:3]))}... failed: {done.stderr.strip()[-200:]})")
    return done.returncode == 0


def ensure_test_tools() -> None:
    """Install, where possible, the system and npm packages some tests need; never fail."""
    missing = [name for name, path in DEBIAN_PACKAGES.items() if not Path(path).exists()]
    if missing and os.geteuid() == 0 and shutil.which("apt-get"):
        print(f"+ apt-get install {' '.join(missing)}", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = ("apt-get", "install", "-y", "-qq", *missing)
        if not _try(*install, env=env) and _try("apt-get", "update", "-qq", env=env):
            _try(*install, env=env)
    elif missing:
        print(f"not installing {', '.join(missing)} (needs root and apt-get)")
    proxy = PROXY_DIR / "node_modules" / ".bin" / "configurable-http-proxy"
    if not proxy.exists() and shutil.which("npm"):
        print(f"+ npm install {PROXY}", flush=True)
        PROXY_DIR.mkdir(exist_ok=True)
        _try("npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", PROXY_DIR, PROXY)


def course_env() -> dict:
    """Environment for every job: the venv first on PATH, grader and tools importable."""
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = str(ROOT)
    env["PYTHONHASHSEED"] = "0"
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    return env


def in_venv(*args) -> None:
    _run(PYTHON, *args, cwd=ROOT, env=course_env())


def demo(extra) -> None:
    in_venv("-m", "instructor.pipeline", *extra)


def test(extra) -> None:
    ensure_test_tools()
    in_venv("-m", "ruff", "check", ".")
    in_venv("-m", "pytest", "--nbval", "-q", "-rs", "tests", "grader_tests", "solutions", *extra)


def lock(_extra) -> None:
    builder = ROOT / "build" / "lock-venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(builder)
    py = builder / BIN.name / "python"
    _run(py, "-m", "pip", "install", "--quiet", "-r", ROOT / "requirements.txt")
    frozen = subprocess.run([py, "-m", "pip", "freeze"], check=True, capture_output=True, text=True)
    header = "# Every package, frozen (pip freeze of a venv made from requirements.txt). "
    header += "Regenerate with: python3.11 tasks.py lock\n"
    (ROOT / "requirements.lock").write_text(header + frozen.stdout)


JOBS = {"demo": demo, "test": test, "lock": lock}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in JOBS:
        sys.exit(__doc__)
    job = sys.argv[1]
    if job != "lock":
        ensure_venv()
    try:
        JOBS[job](sys.argv[2:])
    except subprocess.CalledProcessError as failure:
        sys.exit(failure.returncode)


if __name__ == "__main__":
    main()
