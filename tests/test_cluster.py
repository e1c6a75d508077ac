"""Grading on a Dask cluster (a LocalCluster of 2 worker processes, one thread each): the
records equal a local run's, a worker killed mid-run loses nothing, a student whose task
kills two workers is flagged and the run goes on, an interrupted submitter resumes, a
worker whose grader differs from the submitter's refuses to grade, and so does a scheduler
without the settings grading needs; the workers are prepared again only for other lessons
or settings."""

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import dask
import pytest
from distributed import Client, LocalCluster

from instructor.engine.cluster import DaskRunner, connect, grader_identity, identity_difference
from instructor.engine.course import ROOT
from instructor.engine.run import GraderFault, grade_class, prepare_template
from instructor.engine.student import Settings, Task
from instructor.pipeline import write_sample_submissions

LESSONS = ["01_rnn_forward", "04_weightsum", "05_attention_weight"]
WORKERS = 2


@pytest.fixture(scope="module")
def client():
    with connect(f"local:{WORKERS}") as client:
        yield client


@pytest.fixture
def cluster(client):
    """The module's cluster with all its workers up (a killed one is restarted)."""
    client.wait_for_workers(WORKERS, timeout=120)
    return client


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The sample class for LESSONS, its template, and its records graded locally."""
    work = tmp_path_factory.mktemp("cluster")
    template = prepare_template(work / "local", LESSONS)
    released = {les: template.path("release", les, f"{les}.ipynb") for les in LESSONS}
    write_sample_submissions(work / "submissions", released)
    local = grade_class(work / "submissions", work / "local", LESSONS, 2, False, template)
    return work, template, local


def _entries(records: dict, lessons: list) -> dict:
    return {s: {les: r["lessons"][les] for les in lessons} for s, r in records.items()}


def _words(page: Path) -> list:
    return re.sub(r"<[^>]*>", " ", page.read_text()).split()


class Killer(threading.Thread):
    """Kills with SIGKILL, `times` times, a worker process found running a task whose key
    ends with a student of `students`, `delay` seconds after it started there; for the
    duration of a `with` block."""

    def __init__(self, client, students, times=1, delay=0.0):
        super().__init__(daemon=True)
        self.client, self.students, self.times, self.delay = client, students, times, delay
        self.killed = []  # (worker address, the students of its tasks then)
        self.done = threading.Event()

    def run(self):
        seen = {}
        while len(self.killed) < self.times and not self.done.is_set():
            for address, keys in self.client.processing().items():
                hit = [k.rsplit("-", 1)[1] for k in keys if k.rsplit("-", 1)[-1] in self.students]
                if not hit or address in {a for a, _ in self.killed}:
                    continue
                started = seen.setdefault((address, tuple(hit)), time.monotonic())
                if time.monotonic() - started >= self.delay:
                    pid = self.client.run(os.getpid, workers=[address])[address]
                    os.kill(pid, signal.SIGKILL)
                    self.killed.append((address, hit))
                    break
            time.sleep(0.05)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *_):
        self.done.set()
        self.join()


def test_a_cluster_grades_the_sample_class_as_a_local_run_does(cluster, sample):
    work, template, local = sample
    runner = DaskRunner(cluster)
    out = work / "dask"
    records = grade_class(work / "submissions", out, LESSONS, 4, False, template, runner=runner)
    assert records == local
    for name in ("grades.csv", "exercises.csv", "summary.txt"):
        ours, theirs = ((folder / name).read_text() for folder in (out, work / "local"))
        assert ours.replace(str(out), "OUT") == theirs.replace(str(work / "local"), "OUT"), name
    pages = sorted(p.relative_to(out) for p in (out / "feedback").rglob("*.html"))
    assert len(pages) == len(local) * len(LESSONS)
    for page in pages:  # the same words: a cell's output may arrive in one chunk or two
        ours, theirs = (_words(folder / page) for folder in (out, work / "local"))
        assert ours == theirs, page


def test_a_worker_killed_mid_run_loses_nothing(cluster, sample):
    work, template, local = sample
    lessons = LESSONS[:2]
    runner = DaskRunner(cluster)
    with Killer(cluster, set(local), delay=2.0) as killer:
        records = grade_class(
            work / "submissions", work / "killed", lessons, 2, False, template, runner=runner
        )
    assert len(killer.killed) == 1, "no worker was killed mid-task"
    assert _entries(records, lessons) == _entries(local, lessons)


def test_a_task_that_kills_two_workers_is_flagged_and_the_run_goes_on(cluster, sample):
    work, template, local = sample
    lesson = LESSONS[0]
    runner = DaskRunner(cluster)
    with Killer(cluster, {"cleo"}, times=2) as killer:
        records = grade_class(
            work / "submissions", work / "twice", [lesson], 2, False, template, runner=runner
        )
    assert [students for _, students in killer.killed] == [["cleo"], ["cleo"]]
    entry = records.pop("cleo")["lessons"][lesson]
    assert sum(entry["exercises"].values()) == 0
    assert entry["flags"][0].startswith("not graded: the grading task failed on the cluster (")
    assert "KilledWorker" in entry["flags"][0]
    local = {s: r for s, r in local.items() if s != "cleo"}
    assert _entries(records, [lesson]) == _entries(local, [lesson])


def _ctrl_c_as_in_a_terminal() -> None:
    """SIGINT back to its default in the child: a test run started in the background (`cmd &`
    in a script) ignores SIGINT, its children inherit that, and Python then has no Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _grade(work: Path, scheduler: str, wait=True, jobs=None):
    """instructor.grade on the sample class, lesson 01, into work/resumed."""
    command = [sys.executable, "-m", "instructor.grade", str(work / "submissions")]
    command += ["--out", str(work / "resumed"), "--lesson", LESSONS[0], "--scheduler", scheduler]
    command += ["--jobs", str(jobs)] if jobs else []
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'lib'}"}
    process = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_ctrl_c_as_in_a_terminal,
    )
    return process.communicate(timeout=600) + (process.returncode,) if wait else process


def test_an_interrupted_submitter_resumes_where_it_stopped(cluster, sample):
    work, _, local = sample
    results = work / "resumed" / "results"
    # One student at a time: after the first is saved, at most the next is in flight.
    first = _grade(work, cluster.scheduler.address, wait=False, jobs=1)
    deadline = time.monotonic() + 300
    while not any(results.glob("*.json")) and time.monotonic() < deadline:
        time.sleep(0.05)
    first.send_signal(signal.SIGINT)  # Ctrl-C: the student in flight finishes, no others
    _, stderr = first.communicate(timeout=120)
    assert first.returncode == 130, stderr
    assert "interrupted; run it again to resume" in stderr
    saved = len(list(results.glob("*.json")))
    assert 1 <= saved <= 2 < len(local)
    _, stderr, code = _grade(work, "local:2")
    assert code == 0, stderr
    assert "Dask dashboard: http" in stderr
    summary = (work / "resumed" / "summary.txt").read_text()
    this_run = summary.split("lessons graded in this run: ")[1].split(" (")[0]
    assert this_run == f"{len(local) - saved} new"
    records = {p.stem: json.loads(p.read_text()) for p in results.glob("*.json")}
    assert _entries(records, LESSONS[:1]) == _entries(local, LESSONS[:1])


def test_a_worker_with_another_grader_does_not_grade(cluster, sample, monkeypatch):
    work, _, local = sample

    def other_grader(lesson_ids, settings):  # here only: the workers compute their own
        identity = grader_identity(lesson_ids, settings)
        identity["lessons"][LESSONS[0]] = "0" * 64
        return identity

    monkeypatch.setattr("instructor.engine.cluster.grader_identity", other_grader)
    runner = DaskRunner(cluster)
    with pytest.raises(GraderFault) as refused:
        runner.check(LESSONS[:1], Settings())
    for address in cluster.nthreads():
        assert f"worker {address} on " in str(refused.value)
    assert (
        f"its grader differs from the submitter's: other hidden tests or solutions for {LESSONS[0]}"
        in str(refused.value)
    )
    notebook = json.loads(
        (work / "submissions" / "ada" / LESSONS[0] / f"{LESSONS[0]}.ipynb").read_text()
    )
    result = runner(Task("ada", {LESSONS[0]: notebook}, Settings()))
    assert set(result) == {"fatal"} and "its grader differs" in result["fatal"]


def test_a_second_check_prepares_the_workers_only_for_other_lessons_or_settings(
    cluster, monkeypatch
):
    runner = DaskRunner(cluster)
    runner.check(LESSONS[:1], Settings())
    prepared = []
    monkeypatch.setattr(runner, "_prepare_workers", prepared.append)
    runner.check(LESSONS[:1], Settings())
    assert prepared == []
    runner.check(LESSONS[:1], Settings(cell_seconds=30))
    assert prepared == [Settings(cell_seconds=30)]


def test_a_scheduler_without_the_grading_settings_is_refused():
    dask_defaults = {
        "distributed.scheduler.allowed-failures": 3,
        "distributed.scheduler.worker-saturation": 1.1,
    }
    with dask.config.set(dask_defaults):  # not the module's cluster's, set while it runs
        plain = LocalCluster(n_workers=0, processes=False, dashboard_address=":0")
    with plain:
        with Client(plain) as client:
            with pytest.raises(GraderFault) as refused:
                DaskRunner(client).check(LESSONS[:1], Settings())
    assert f"the Dask scheduler at {plain.scheduler_address} runs with" in str(refused.value)
    assert "allowed-failures 3, worker-saturation 1.1: start it with " in str(refused.value)
    assert (
        "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES=1 "
        "DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION=1.0" in str(refused.value)
    )


def test_what_differs_between_two_graders_is_said():
    ours = {"lessons": {"a": "1", "b": "2"}, "shared": "s", "environment": {"python": "3.11.7"}}
    assert identity_difference(ours, ours) == ""
    other_python = {**ours, "environment": {"python": "3.11.2"}}
    assert "another interpreter or machine" in identity_difference(ours, other_python)
    other_engine = {**ours, "shared": "t", "lessons": {"a": "3", "b": "4"}}
    assert "engine" in identity_difference(ours, other_engine)
    other_test = {**ours, "lessons": {"a": "1", "b": "5"}}
    assert identity_difference(ours, other_test) == "other hidden tests or solutions for b"


def test_the_dashboard_whose_address_is_printed_shows_the_cluster(cluster):
    with urllib.request.urlopen(cluster.dashboard_link, timeout=60) as page:
        html = page.read().decode()
    assert "needs bokeh" not in html
    assert "Bokeh" in html and "Dask" in html
