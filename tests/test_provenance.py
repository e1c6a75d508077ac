"""Every grade records what produced it, and a resumed run re-grades exactly what is stale:
in a copy of the repository, a changed hidden test re-grades only its lesson, to the new
score; no change re-grades nothing; two runs on one output folder cannot both go on."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from instructor.classes.notebooks import solution_sources, write_submission
from instructor.engine.course import COURSE, ROOT
from instructor.engine.fingerprint import fingerprint
from instructor.engine.student import Settings

LESSONS = ("01_rnn_forward", "04_weightsum")
CHANGED = "grader_tests/test_04_weightsum.py"
EXPECTED = 'expect_match("c", c, ref.weight_sum_forward(hs, a)[0], mistakes)'


def test_a_lessons_fingerprint_covers_its_own_files_and_the_settings():
    settings = Settings()
    assert fingerprint(LESSONS[0], settings) != fingerprint(LESSONS[1], settings)
    assert fingerprint(LESSONS[0], settings) == fingerprint(LESSONS[0], Settings())
    assert fingerprint(LESSONS[0], Settings(cell_seconds=30)) != fingerprint(LESSONS[0], settings)
    assert fingerprint(LESSONS[0], Settings(sandbox=False)) != fingerprint(LESSONS[0], settings)


@pytest.fixture(scope="module")
def copy(tmp_path_factory):
    """A copy of the repository's tracked files, and a class of two in it: ada solved
    both lessons, ben handed in the release untouched."""
    root = tmp_path_factory.mktemp("repository")
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    for name in tracked:
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((ROOT / name).read_bytes())
    for lesson in LESSONS:
        released = COURSE / f"{lesson}.ipynb"
        write_submission(released, root / "class" / "ben" / lesson / released.name, None)
        full = solution_sources(lesson)
        write_submission(released, root / "class" / "ada" / lesson / released.name, full)
    return root


def _grade(root: Path, out: str, wait=True):
    """instructor.grade run in the copy, on its class."""
    lessons = [arg for lesson in LESSONS for arg in ("--lesson", lesson)]
    command = [sys.executable, "-m", "instructor.grade", "class", "--out", out, *lessons]
    env = {
        **os.environ,
        "PYTHONPATH": f"{root}{os.pathsep}{root / 'lib'}",
        "RNNLAB_CELL_TIMEOUT": "20",
    }
    process = subprocess.Popen(
        command, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    return process.communicate(timeout=600) + (process.returncode,) if wait else process


def _records(root: Path, out: str) -> dict:
    return {
        path.stem: json.loads(path.read_text())
        for path in sorted((root / out / "results").glob("*.json"))
    }


def _graded_in_this_run(root: Path, out: str) -> str:
    summary = (root / out / "summary.txt").read_text()
    return summary.split("lessons graded in this run: ")[1].split(" (")[0]


def test_a_changed_hidden_test_regrades_only_its_lesson(copy):
    assert _grade(copy, "out")[2] == 0
    first = _records(copy, "out")
    assert first["ada"]["lessons"]["04_weightsum"]["exercises"]["weight_sum_forward"] == 2.0
    assert _graded_in_this_run(copy, "out") == "4 new"
    test = copy / CHANGED
    text = test.read_text()
    assert EXPECTED in text
    test.write_text(text.replace(EXPECTED, EXPECTED.replace("ref.weight", "2 * ref.weight")))
    assert _grade(copy, "out")[2] == 0
    second = _records(copy, "out")
    assert _graded_in_this_run(copy, "out") == "2 grader"
    for student in ("ada", "ben"):
        kept, old = (r[student]["lessons"]["01_rnn_forward"] for r in (second, first))
        assert kept == old
        new, old = (r[student]["lessons"]["04_weightsum"] for r in (second, first))
        assert new["fingerprint"] != old["fingerprint"]
    assert second["ada"]["lessons"]["04_weightsum"]["exercises"]["weight_sum_forward"] == 0.0
    rows = (copy / "out" / "grades.csv").read_text().splitlines()
    assert rows[0].endswith(",graded_by")
    assert {row.split(",")[-1] for row in rows[1:]} == {
        second["ada"]["lessons"][lesson]["fingerprint"][:12] for lesson in LESSONS
    }


def test_nothing_changed_regrades_nothing(copy):
    assert _grade(copy, "again")[2] == 0
    before = _records(copy, "again")
    assert _grade(copy, "again")[2] == 0
    assert _graded_in_this_run(copy, "again") == "none"
    assert _records(copy, "again") == before


def test_two_runs_at_once_on_one_folder(copy):
    runs = [_grade(copy, "twice", wait=False) for _ in range(2)]
    results = [run.communicate(timeout=600) + (run.returncode,) for run in runs]
    codes = sorted(code for _, _, code in results)
    assert codes == [0, 2], results
    refused = next(err for _, err, code in results if code == 2)
    assert "another instructor.grade run is using" in refused
    records = _records(copy, "twice")
    assert set(records) == {"ada", "ben"}
