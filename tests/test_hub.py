"""The course's JupyterHub (hub/jupyterhub_config.py): two students log in, fetch, submit.

The hub runs the course's configuration plus test-only settings: a dummy authenticator
(one shared password), loopback ports, state in a temporary folder. The users are real Unix
users (course_accounts.py), each server running as its user, so the test needs root:
nbgrader names a submission after the Unix user that makes it. The instructor
releases lesson 01 on a temporary exchange; each student logs in through the login form,
gets a JupyterLab with the student configuration, fetches the lesson from the Assignments
extension, saves an answer and submits; the instructor collects both submissions. The
instructor's own server has formgrader. About 60 s.
"""

import json
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from course_accounts import ONE_USER_REASON, REAL_USERS, course_accounts, make_course_dir

from instructor.classes.notebooks import fill, solution_sources
from instructor.engine.course import ROOT
from instructor.lab import free_port, stop_process_tree

LESSON = "01_rnn_forward"
HUB_CONFIG = ROOT / "hub" / "jupyterhub_config.py"
PROXY = Path(sys.executable).parent.parent / "proxy" / "node_modules" / ".bin"
TIMEOUT = 60
MISSING = [
    what
    for what, present in (
        (f"configurable-http-proxy in {PROXY} (npm install, see tasks.py)",
         (PROXY / "configurable-http-proxy").exists()),
        ("node", any((Path(p) / "node").exists() for p in os.environ["PATH"].split(os.pathsep))),
    )
    if not present
]  # fmt: skip
pytestmark = [
    pytest.mark.skipif(bool(MISSING), reason=f"no {', '.join(MISSING)}"),
    pytest.mark.skipif(
        not REAL_USERS,
        reason=f"nbgrader names a submission after its Unix user, so two students on a hub "
        f"need two Unix users: {ONE_USER_REASON}",
    ),
]


def hub_test_config(base: Path, password: str) -> str:
    """The course's hub configuration with test-only settings on top."""
    state = base / "hub"
    lines = [
        f"load_subconfig({str(HUB_CONFIG)!r})",
        'c.JupyterHub.authenticator_class = "dummy"',
        f"c.DummyAuthenticator.password = {password!r}",
        f'c.JupyterHub.bind_url = "http://127.0.0.1:{free_port()}"',
        f'c.JupyterHub.hub_bind_url = "http://127.0.0.1:{free_port()}"',
        f'c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{free_port()}"',
        f'c.JupyterHub.db_url = "sqlite:///{state / "jupyterhub.sqlite"}"',
        f"c.JupyterHub.cookie_secret_file = {str(state / 'cookie_secret')!r}",
        f"c.ConfigurableHTTPProxy.pid_file = {str(state / 'proxy.pid')!r}",
        f"c.Spawner.start_timeout = c.Spawner.http_timeout = {TIMEOUT}",
    ]
    return "\n".join(lines) + "\n"


class Hub:
    """A running JupyterHub; `log_in` gives a browser-like session of a user's server."""

    def __init__(self, base: Path, config: str, env: dict):
        state = base / "hub"
        state.mkdir()
        (state / "jupyterhub_config.py").write_text(config)
        self.url = next(
            line.split('"')[1] for line in config.splitlines() if ".bind_url" in line
        )
        self.log = open(state / "jupyterhub.log", "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", "jupyterhub_config.py"],
            cwd=state, env=env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        self._wait(lambda: requests.get(f"{self.url}/hub/api", timeout=5).ok, "the hub")

    def _wait(self, ready, what: str) -> None:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"JupyterHub exited:\n{self.log_tail()}"
            try:
                if ready():
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise AssertionError(f"{what} not ready after {TIMEOUT} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        self.log.flush()
        return "\n".join(Path(self.log.name).read_text().splitlines()[-lines:])

    def log_in(self, name: str, password: str) -> "UserServer":
        session = requests.Session()
        session.get(f"{self.url}/hub/login", timeout=30)
        form = {"username": name, "password": password, "_xsrf": session.cookies["_xsrf"]}
        answer = session.post(f"{self.url}/hub/login", data=form, timeout=TIMEOUT)
        assert answer.ok and "/hub/login" not in answer.url, f"{name} could not log in"
        server = UserServer(session, f"{self.url}/user/{name}")
        self._wait(server.lab_opens, f"{name}'s server")
        return server

    def stop(self) -> None:
        stop_process_tree(self.process, timeout=30)
        self.log.close()


class UserServer:
    """A user's single-user server, used with their login cookies (as JupyterLab does)."""

    def __init__(self, session: requests.Session, base_url: str):
        self.session, self.base_url = session, base_url

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path}"

    def lab_opens(self) -> bool:
        """Whether /lab answers from the user's server (after the hub's OAuth redirects)."""
        answer = self.session.get(self.url("lab"), timeout=30)
        return answer.ok and answer.url.startswith(self.url("lab"))

    def _xsrf(self) -> str:
        self.session.get(self.url("lab"), timeout=30)  # sets the server's _xsrf cookie
        path = self.base_url.split("/", 3)[3]
        return next(
            cookie.value
            for cookie in self.session.cookies
            if cookie.name == "_xsrf" and cookie.path.strip("/") == path.strip("/")
        )

    def post(self, path: str, **kwargs) -> requests.Response:
        headers = {"X-XSRFToken": self._xsrf()}
        return self.session.post(self.url(path), headers=headers, timeout=TIMEOUT, **kwargs)

    def assignment_action(self, action: str, course_id: str) -> dict:
        """What the Assignments list's Fetch and Submit buttons do."""
        answer = self.post(
            f"assignments/{action}", data={"course_id": course_id, "assignment_id": LESSON}
        )
        assert answer.ok, answer.text
        reply = answer.json()
        assert reply["success"], reply
        return reply

    def save(self, path: str, notebook: dict) -> None:
        """Save a notebook through the contents API, as JupyterLab's Save does."""
        answer = self.session.put(
            self.url(f"api/contents/{path}"),
            headers={"X-XSRFToken": self._xsrf()},
            data=json.dumps({"type": "notebook", "format": "json", "content": notebook}),
            timeout=TIMEOUT,
        )
        assert answer.ok, answer.text

    def load(self, path: str) -> dict:
        answer = self.session.get(self.url(f"api/contents/{path}"), timeout=TIMEOUT)
        assert answer.ok, answer.text
        return answer.json()["content"]


@pytest.fixture(scope="module")
def course_on_hub():
    """Accounts, a released lesson and a running hub; stopped and removed afterwards."""
    with course_accounts(["instructor", "student1", "student2"]) as (accounts, base):
        course_id, password = f"rnnlab-hub-{secrets.token_hex(3)}", secrets.token_hex(12)
        exchange = base / "exchange"
        exchange.mkdir()
        exchange.chmod(0o777)
        course_env = {"RNNLAB_EXCHANGE": str(exchange), "RNNLAB_COURSE_ID": course_id}
        for account in accounts.values():
            account.extra_env = course_env
        instructor = accounts["instructor"]
        course = make_course_dir(instructor, LESSON, course_id, exchange)
        instructor.nbgrader("generate_assignment", LESSON, "--create", "--force", cwd=course)
        instructor.nbgrader("release_assignment", LESSON, cwd=course)

        students = [accounts["student1"], accounts["student2"]]
        env = {
            **os.environ, **course_env,
            "RNNLAB_INSTRUCTORS": instructor.name,
            "RNNLAB_STUDENTS": ",".join(student.name for student in students),
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        }  # fmt: skip
        hub = Hub(base, hub_test_config(base, password), env)
        try:
            yield {
                "hub": hub, "password": password, "course_id": course_id, "course": course,
                "instructor": instructor, "students": students, "exchange": exchange,
            }  # fmt: skip
        finally:
            hub.stop()


def test_two_students_log_in_fetch_and_submit(course_on_hub):
    hub, course_id = course_on_hub["hub"], course_on_hub["course_id"]
    for student in course_on_hub["students"]:
        server = hub.log_in(student.name, course_on_hub["password"])
        assert server.session.get(server.url("formgrader"), timeout=30).status_code == 404
        server.assignment_action("fetch", course_id)
        path = f"{LESSON}/{LESSON}.ipynb"
        answer = {"softmax": solution_sources(LESSON)["softmax"]}
        server.save(path, fill(server.load(path), answer))
        server.assignment_action("submit", course_id)
        assert student.owns(student.home / path)

    inbound = course_on_hub["exchange"] / course_id / "inbound"
    submitters = {entry.name.split("+")[0] for entry in inbound.iterdir()}
    assert submitters == {student.name for student in course_on_hub["students"]}
    instructor, course = course_on_hub["instructor"], course_on_hub["course"]
    instructor.nbgrader("collect", LESSON, cwd=course)
    for student in course_on_hub["students"]:
        collected = course / "submitted" / student.name / LESSON / f"{LESSON}.ipynb"
        assert "np.max(z, axis=-1, keepdims=True)" in collected.read_text()


def test_the_instructor_gets_formgrader_on_the_hub(course_on_hub):
    instructor = course_on_hub["instructor"]
    server = course_on_hub["hub"].log_in(instructor.name, course_on_hub["password"])
    assert server.session.get(server.url("formgrader"), timeout=60).status_code == 200
