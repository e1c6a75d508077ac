"""Accounts for end-to-end tests of the course: real Unix users when root, else this user.

As root (CI), `course_accounts` creates one Unix user per role with `useradd`, named
`rnnlab-<random>-<role>`, each with a home under a fresh world-readable folder, and removes
them (`userdel --remove`) afterwards, so nbgrader's exchange runs with real file
permissions. Where the course's Python lies in a folder other users cannot pass through
(here the interpreter behind `.venv` is under /root, mode 700), each test user gets an ACL
entry allowing exactly that passage (`setfacl -m u:<user>:x`), and the folder's ACL is
restored afterwards. Otherwise (not root, or no `setfacl` where it is needed) every role runs
as the current user in its own home folder, nbgrader is told the student id (`--student`),
since it names submissions after the operating-system user, and a warning says so.
"""

import os
import pwd
import secrets
import shutil
import stat
import subprocess
import sys
import tempfile
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil

from instructor.engine.course import CONFIG, ROOT, SOLUTIONS

HUB_CONFIG = ROOT / "hub"  # nbgrader_config.py: the course id and the exchange, from env


@dataclass
class Account:
    """A course role: who runs the commands, and where its home is."""

    name: str  # the Unix user name (real users) and the nbgrader id
    home: Path
    uid: int | None = None  # None: run as the current user
    gid: int | None = None
    extra_env: dict | None = None

    def environment(self) -> dict:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("JUPYTER", "XDG_", "IPYTHON", "MPLCONFIG", "PYTHON"))
        }
        env.update(
            HOME=str(self.home),
            USER=self.name if self.uid is not None else env.get("USER", ""),
            LOGNAME=self.name if self.uid is not None else env.get("LOGNAME", ""),
            PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
            PYTHONPATH=str(ROOT),
            PYTHONHASHSEED="0",
            JUPYTER_PLATFORM_DIRS="1",
            JUPYTER_CONFIG_PATH=str(HUB_CONFIG),
        )
        env.update(self.extra_env or {})
        return env

    def run(self, *args, cwd=None, input=None, timeout=600) -> subprocess.CompletedProcess:
        """Run a command as this account; the result holds its output (no exception)."""
        return subprocess.run(
            [str(arg) for arg in args],
            cwd=cwd or self.home,
            env=self.environment(),
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
            user=self.uid,
            group=self.gid,
            extra_groups=[] if self.uid is not None else None,
        )

    def python(self, *args, **kwargs) -> subprocess.CompletedProcess:
        return self.run(sys.executable, *args, **kwargs)

    def nbgrader(self, *args, student_id=False, **kwargs) -> subprocess.CompletedProcess:
        """`nbgrader ARGS`; with student_id, say who the student is when not a real user."""
        if student_id and self.uid is None:
            args = (*args, f"--student={self.name}")
        done = self.python("-m", "nbgrader", *args, **kwargs)
        if done.returncode != 0:
            raise AssertionError(f"{self.name}: nbgrader {' '.join(args)} failed:\n{done.stderr}")
        return done

    def write(self, path: Path, text: str) -> None:
        """Write a file as this account (a student saving a notebook)."""
        script = "import sys; open(sys.argv[1], 'w').write(sys.stdin.read())"
        done = self.python("-c", script, path, input=text)
        assert done.returncode == 0, done.stderr

    def owns(self, path: Path) -> bool:
        return self.uid is None or Path(path).stat().st_uid == self.uid


def _add_user(name: str, home: Path) -> Account:
    subprocess.run(
        ["useradd", "--create-home", "--home-dir", str(home), "--shell", "/usr/sbin/nologin",
         "--user-group", name],
        check=True, capture_output=True,
    )  # fmt: skip
    entry = pwd.getpwnam(name)
    return Account(name, home, entry.pw_uid, entry.pw_gid)


def _remove_user(account: Account) -> None:
    """Kill what still runs as the account (it was started by the test), then delete it."""
    for process in psutil.process_iter(["uids"]):
        if process.info["uids"] and process.info["uids"].real == account.uid:
            try:
                process.kill()
            except psutil.NoSuchProcess:
                pass
    subprocess.run(["userdel", "--remove", account.name], capture_output=True)


def blocked_folders() -> list[Path]:
    """Folders on the way to the course's Python and code that others cannot pass through."""
    targets = {Path(sys.base_prefix), Path(sys.executable).resolve().parent, ROOT}
    return sorted(
        {
            folder
            for target in targets
            for folder in (target, *target.parents)
            if not folder.stat().st_mode & stat.S_IXOTH
        }
    )


def _one_user_reason() -> str:
    """Why every role must run as the current user here, or "" when real users work."""
    if os.geteuid() != 0 or shutil.which("useradd") is None:
        return "not root (useradd needs root)"
    if blocked_folders() and shutil.which("setfacl") is None:
        return f"no setfacl to let test users into {', '.join(map(str, blocked_folders()))}"
    return ""


ONE_USER_REASON = _one_user_reason()
REAL_USERS = not ONE_USER_REASON


@contextmanager
def passage_for(accounts: list[Account]):
    """Let the accounts pass through the blocked folders; restore their ACLs afterwards."""
    folders = blocked_folders()
    saved = {
        folder: subprocess.run(
            ["getfacl", "--absolute-names", str(folder)], check=True, capture_output=True
        ).stdout
        for folder in folders
    }
    try:
        for folder in folders:
            for account in accounts:
                subprocess.run(["setfacl", "-m", f"u:{account.uid}:x", str(folder)], check=True)
        yield
    finally:
        for acl in saved.values():
            subprocess.run(["setfacl", "--restore=-"], input=acl, check=True)


def runs_this_python(account: Account) -> bool:
    """Whether the account's `python` is this interpreter with its own standard library."""
    done = account.python("-c", "import sys; print(sys.version)")
    return done.returncode == 0 and done.stdout.strip() == sys.version


@contextmanager
def course_accounts(roles: list[str]):
    """{role: Account} for the roles, and the shared base folder; everything removed after."""
    base = Path(tempfile.mkdtemp(prefix="rnnlab-e2e-"))
    base.chmod(0o755)  # the accounts must reach their homes and the exchange below it
    (base / "home").mkdir(mode=0o755)
    accounts = {}
    try:
        if REAL_USERS:
            tag = secrets.token_hex(3)
            for role in roles:
                name = f"rnnlab-{tag}-{role}"
                accounts[role] = _add_user(name, base / "home" / name)
            with passage_for(list(accounts.values())):
                for account in accounts.values():
                    assert runs_this_python(account), f"{account.name} cannot run {sys.executable}"
                yield accounts, base
        else:
            warnings.warn(
                f"{ONE_USER_REASON}: every role ({', '.join(roles)}) runs as the current user "
                f"{pwd.getpwuid(os.getuid()).pw_name}; the exchange's permissions are not tested",
                stacklevel=3,
            )
            for role in roles:
                (base / "home" / role).mkdir()
                accounts[role] = Account(role, base / "home" / role)
            yield accounts, base
    finally:
        for account in accounts.values():
            if account.uid is not None:
                _remove_user(account)
        shutil.rmtree(base, ignore_errors=True)


def make_course_dir(instructor: Account, lesson: str, course_id: str, exchange: Path) -> Path:
    """The instructor's course directory: the course's nbgrader config, the lesson's source."""
    course = instructor.home / "course"
    config = CONFIG.read_text() + f"\nc.CourseDirectory.course_id = {course_id!r}\n"
    config += f"c.Exchange.root = {str(exchange)!r}\n"
    instructor.python("-c", f"import os; os.makedirs({str(course / 'source' / lesson)!r})")
    instructor.write(course / "nbgrader_config.py", config)
    source = (SOLUTIONS / f"{lesson}.ipynb").read_text()
    instructor.write(course / "source" / lesson / f"{lesson}.ipynb", source)
    return course
