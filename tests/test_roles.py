"""Students' JupyterLab has no instructor tools; instructors' has all of nbgrader's.

Each role's server is started as `python -m instructor.lab <role>` would start it, and
asked over HTTP what it serves (about 15 s for both servers).
"""

import json
import re
import urllib.request

import pytest

from instructor.lab import LabServer, role_environment

INSTRUCTOR_PLUGINS = {
    "@jupyter/nbgrader:create-assignment",
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:course-list",
}


def disabled_plugins(server: LabServer) -> set[str]:
    """The plugins the /lab page tells JupyterLab to leave off (its page config)."""
    with urllib.request.urlopen(server.url("lab"), timeout=10) as response:
        page = response.read().decode()
    config = re.search(r'id="jupyter-config-data"[^>]*>\s*(\{.*?\})\s*</script>', page, re.S)
    return set(json.loads(config.group(1))["disabledExtensions"])


@pytest.fixture(scope="module", params=["student", "instructor"])
def server(request, tmp_path_factory):
    root = tmp_path_factory.mktemp(f"{request.param}-root")
    with LabServer(request.param, root, tmp_path_factory.mktemp(request.param)) as running:
        yield running


def test_each_role_gets_the_assignment_list_and_validate(server):
    assert server.status("nbgrader_version?version=0.9.6") == 200
    assert server.status("assignments") != 404
    assert server.status("assignments/validate") != 404


def test_only_instructors_get_formgrader_course_list_and_create_assignment(server):
    instructor = server.role == "instructor"
    assert (server.status("formgrader") == 200) is instructor
    assert (server.status("formgraders") != 404) is instructor
    disabled = disabled_plugins(server)
    assert disabled.isdisjoint(INSTRUCTOR_PLUGINS) if instructor else INSTRUCTOR_PLUGINS <= disabled
    assert not any("validate" in p or "assignment-list" in p for p in disabled)


def test_the_role_folder_comes_before_the_users_own_search_path():
    env = role_environment("student", {"JUPYTER_CONFIG_PATH": "/etc/extra"})
    first, second = env["JUPYTER_CONFIG_PATH"].split(":")
    assert first.endswith("jupyter/student") and second == "/etc/extra"
    with pytest.raises(ValueError, match="unknown role"):
        role_environment("grader")
