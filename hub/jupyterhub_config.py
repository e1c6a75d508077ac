"""JupyterHub for the course: students and instructors, nbgrader's exchange, one course.

    RNNLAB_INSTRUCTORS=ann RNNLAB_STUDENTS=bob,cy .venv/bin/jupyterhub -f hub/jupyterhub_config.py

Run it from the course environment (`.venv`), as root, so each user's server runs as that
Unix user (JupyterHub's default PAM login and local spawner); the proxy is the npm package
configurable-http-proxy (`python3.11 tasks.py test` installs it into .venv/proxy/).

- Users: RNNLAB_INSTRUCTORS and RNNLAB_STUDENTS, comma-separated Unix user names.
- Groups: `formgrade-<course>` holds the instructors, `nbgrader-<course>` the students (the
  names nbgrader's JupyterHubAuthPlugin looks for, should you enable it).
- Roles: instructors get the `grader` role (see the students' names and groups, and manage
  the student group); students keep JupyterHub's default `user` role (their own server).
- Each user's JupyterLab gets the Jupyter configuration of their group (jupyter/instructor
  or jupyter/student: see instructor/lab.py) and this folder's nbgrader_config.py: the
  course id (RNNLAB_COURSE_ID, default rnn-attention) and the exchange (RNNLAB_EXCHANGE,
  default /srv/nbgrader/exchange; create it once, world-writable: `chmod 777`).
- Instructors keep their course directory (nbgrader_config.py: instructor/engine's) in their
  home, e.g. ~/rnn-attention, open formgrader from there and grade with instructor.grade.
"""

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parent
COURSE_ID = os.environ.get("RNNLAB_COURSE_ID", "rnn-attention")
EXCHANGE = os.environ.get("RNNLAB_EXCHANGE", "/srv/nbgrader/exchange")
INSTRUCTORS_GROUP, STUDENTS_GROUP = f"formgrade-{COURSE_ID}", f"nbgrader-{COURSE_ID}"


def names(variable: str) -> list[str]:
    return [name.strip() for name in os.environ.get(variable, "").split(",") if name.strip()]


INSTRUCTORS, STUDENTS = names("RNNLAB_INSTRUCTORS"), names("RNNLAB_STUDENTS")

c = get_config()  # noqa: F821 (injected by traitlets)

c.Authenticator.allowed_users = set(INSTRUCTORS + STUDENTS)
c.JupyterHub.load_groups = {
    INSTRUCTORS_GROUP: {"users": INSTRUCTORS},
    STUDENTS_GROUP: {"users": STUDENTS},
}
c.JupyterHub.load_roles = [
    {
        "name": "grader",
        "description": "An instructor of the course: sees and manages its students",
        "scopes": [
            "list:users",
            "read:users:name",
            "read:groups",
            f"groups!group={STUDENTS_GROUP}",
        ],
        "groups": [INSTRUCTORS_GROUP],
    }
]

BIN = Path(sys.executable).parent  # the course environment's bin/
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.environment = {
    "RNNLAB_COURSE_ID": COURSE_ID,
    "RNNLAB_EXCHANGE": EXCHANGE,
    "PYTHONPATH": str(REPOSITORY),
}
c.ConfigurableHTTPProxy.command = [
    str(BIN.parent / "proxy" / "node_modules" / ".bin" / "configurable-http-proxy")
]


def role_of(user) -> str:
    """The user's role: instructor for members of the instructors' group, else student."""
    return "instructor" if INSTRUCTORS_GROUP in {g.name for g in user.groups} else "student"


def give_role_configuration(spawner) -> None:
    """Before a server starts: its user's Jupyter configuration, then the course's."""
    role_folder = REPOSITORY / "jupyter" / role_of(spawner.user)
    search_path = os.pathsep.join([str(role_folder), str(HERE)])
    spawner.environment = {**spawner.environment, "JUPYTER_CONFIG_PATH": search_path}


c.Spawner.pre_spawn_hook = give_role_configuration
