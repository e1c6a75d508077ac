"""Grade on a Dask cluster: one task per student, the same grading on every worker.

`DaskRunner(client)` is used like `LocalRunner`: `grade_class` calls its `check(lesson_ids,
settings)` (the scheduler's settings checked, every worker prepared for these lessons) and
then `runner(task)` (the result dict of `run_in_process`) from its thread pool, so the
submitting process still reads the submissions, saves each record as it arrives, resumes
and writes the reports and the class gradebook. What crosses the network:

- to a worker: the student's `Task` (their valid notebooks, parsed, and the Settings) and
  the submitter's grader identity (each lesson's fingerprint, see instructor.engine.
  fingerprint); no path of the submitting machine;
- back: the result of `run_in_process` as JSON text, parsed by the submitter, so nothing
  the student produced is ever unpickled there.

A worker grades with its own copy of the repository and environment: it checks that its
grader is the submitter's (else the task is fatal and names the worker), keeps one template
course directory per grader identity in its machine's Dask scratch folder (built once,
shared by the worker processes of that machine), and runs the same `run_in_process` as a
local run. A worker that dies mid-task loses nothing: the scheduler gives the task to
another worker. A task that fails twice (erred, or its workers died more often than the
scheduler's `allowed-failures`) is that student's error: 0 with a flag, and the run goes on.
"""

import contextlib
import fcntl
import hashlib
import json
import multiprocessing
import os
import socket
import stat
import threading
import uuid
from pathlib import Path

import dask
from distributed import Client, LocalCluster, get_worker

from instructor.engine.course import CourseDir
from instructor.engine.fingerprint import environment, fingerprint, shared_digest
from instructor.engine.flags import one_line
from instructor.engine.run import GraderFault, LocalRunner, check_sandbox, prepare_template
from instructor.engine.student import Settings, Task, start_server

# What a cluster needs to grade: worker processes that may fork (Dask's default makes them
# daemonic, and a daemonic process may not start the grading process); a task tried on at
# most two workers that died running it; and a worker given one student per thread at a
# time (Dask's default, 1.1, gives a single-threaded worker two, and a worker killed under
# one student would then count against the other, queued student too).
WORKER_CONFIG = {"distributed.worker.daemon": False}
SCHEDULER_CONFIG = {
    "distributed.scheduler.allowed-failures": 1,
    "distributed.scheduler.worker-saturation": 1.0,
}
# A LocalCluster's own setting: Dask closes a worker's nanny for good when its restarted
# process has not joined within `lost-worker-timeout` (15 s); a machine busy grading may
# take longer, and the run would go on with a worker fewer.
LOCAL_CONFIG = {"distributed.deploy.lost-worker-timeout": "10 minutes"}
DAEMONIC = (
    "its worker process is daemonic (Dask's default), so it cannot start a grading "
    "process: start the workers with DASK_DISTRIBUTED__WORKER__DAEMON=False"
)


def grader_identity(lesson_ids: list, settings: Settings) -> dict:
    """What grades these lessons here: each one's fingerprint, and the parts they share."""
    return {
        "lessons": {lesson: fingerprint(lesson, settings) for lesson in lesson_ids},
        "shared": shared_digest(),
        "environment": environment(),
    }


def identity_difference(here: dict, submitter: dict) -> str:
    """What makes this machine grade otherwise than the submitter's, in words ("": nothing)."""
    if here == submitter:
        return ""
    if here["environment"] != submitter["environment"]:
        return (
            f"another interpreter or machine ({here['environment']}; the submitter's: "
            f"{submitter['environment']})"
        )
    if here["shared"] != submitter["shared"]:
        return "another grading framework, engine, course library or locked packages"
    lessons = [les for les, fp in submitter["lessons"].items() if here["lessons"][les] != fp]
    return f"other hidden tests or solutions for {', '.join(lessons)}"


_templates: dict = {}  # {key: CourseDir} of this worker process
_templates_lock = threading.Lock()


def _template(identity: dict, settings: Settings) -> CourseDir:
    """This machine's template course directory for `identity`: made once (a file lock
    keeps the machine's worker processes from making it twice), then reused."""
    key = hashlib.sha256(json.dumps(identity["lessons"], sort_keys=True).encode())
    key = key.hexdigest()[:16]
    with _templates_lock:
        if key not in _templates:
            folder = _own_folder(Path(get_worker().local_directory).parent) / key
            folder.mkdir(exist_ok=True)
            with (folder / ".lock").open("w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                _templates[key] = prepare_template(folder, list(identity["lessons"]), settings)
        return _templates[key]


def _own_folder(scratch: Path) -> Path:
    """This user's folder of templates in the machine's Dask scratch folder: made private,
    and refused if another user made it or may write to it (it holds the hidden cells)."""
    folder = scratch / f"rnnlab-templates-{os.getuid()}"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    status = folder.lstat()
    if not stat.S_ISDIR(status.st_mode) or status.st_uid != os.getuid() or status.st_mode & 0o077:
        raise PermissionError(f"{folder} is not a private folder of this user")
    return folder


def _ready(identity: dict, settings: Settings) -> CourseDir | str:
    """This worker's template for `identity`, or why this worker cannot grade for it."""
    if multiprocessing.current_process().daemon:
        return DAEMONIC
    here = grader_identity(list(identity["lessons"]), settings)
    difference = identity_difference(here, identity)
    if difference:
        return f"its grader differs from the submitter's: {difference}"
    try:
        return _template(identity, settings)
    except Exception as error:  # nbgrader cannot release the lessons here
        return one_line(f"it cannot release the lessons ({type(error).__name__}: {error})")


def _worker_name() -> str:
    return f"worker {get_worker().address} on {socket.gethostname()}"


def grade_on_worker(task: Task, identity: dict) -> str:
    """The task run on a worker: grade `task` as the submitter would; the result as JSON."""
    template = _ready(identity, task.settings)
    if isinstance(template, str):
        result = {"fatal": template}
    else:
        result = LocalRunner(template)(task)
    if "fatal" in result:
        result = {"fatal": f"{_worker_name()}: {result['fatal']}"}
    return json.dumps(result)


def prepare_worker(identity: dict, settings: Settings) -> str:
    """Run once on each worker before grading: "" when it can grade for `identity` (its
    template made, its sandbox started once, its grading server started), else why not,
    naming the worker."""
    template = _ready(identity, settings)
    if isinstance(template, str):
        return f"{_worker_name()}: {template}"
    try:
        check_sandbox(settings)
    except GraderFault as fault:
        return f"{_worker_name()}: {fault}"
    start_server()
    return ""


class DaskRunner:
    """Grades a student's Task on a Dask cluster; the same result dict as LocalRunner."""

    def __init__(self, client: Client):
        self.client = client
        self.identity: dict = {}  # the submitter's grader identity the tasks carry
        self.checked: tuple = ()  # the (lesson ids, settings) the workers are prepared for

    def capacity(self) -> int:
        """How many students the cluster grades at once (its worker threads)."""
        return sum(self.client.nthreads().values())

    def jobs(self) -> int:
        """How many students to keep submitted: twice the capacity, so that a worker that
        finishes one finds the next already there."""
        return 2 * max(self.capacity(), 1)

    def check(self, lesson_ids: list, settings: Settings) -> None:
        """Before grading `lesson_ids` with `settings`: check the scheduler's settings and
        prepare every worker; GraderFault saying what is wrong or naming the workers that
        cannot grade. Nothing to do when the last check was for the same lessons and settings."""
        wanted = (list(lesson_ids), settings)
        if self.checked == wanted:
            return
        self.checked = ()  # until these workers are prepared for the new identity
        self.identity = grader_identity(list(lesson_ids), settings)
        self._check_scheduler()
        self._prepare_workers(settings)
        self.checked = wanted

    def _prepare_workers(self, settings: Settings) -> None:
        """Run prepare_worker once on each worker; GraderFault naming those that cannot grade."""
        workers = list(self.client.nthreads())
        if not workers:
            raise GraderFault(f"the Dask cluster at {self.client.scheduler.address} has no worker")
        futures = [
            self.client.submit(
                prepare_worker,
                self.identity,
                settings,
                workers=[address],
                allow_other_workers=True,  # never wait for a worker that left
                key=f"prepare-{uuid.uuid4().hex}",
            )
            for address in workers
        ]
        try:
            problems = [problem for problem in self.client.gather(futures) if problem]
        except Exception as error:  # a worker died while preparing
            raise GraderFault(one_line(f"preparing the workers failed: {error!r}")) from None
        if problems:
            raise GraderFault("; ".join(problems))

    def _check_scheduler(self) -> None:
        """GraderFault unless the scheduler runs with SCHEDULER_CONFIG (a remote one is
        started by someone else, from the environment variables the README shows)."""

        def settings(dask_scheduler):  # sent by value: the scheduler may lack this module
            return {
                "distributed.scheduler.allowed-failures": dask_scheduler.allowed_failures,
                "distributed.scheduler.worker-saturation": dask_scheduler.WORKER_SATURATION,
            }

        found = self.client.run_on_scheduler(settings)
        wrong = {key: value for key, value in SCHEDULER_CONFIG.items() if found[key] != value}
        if wrong:
            have = ", ".join(f"{key.rsplit('.', 1)[1]} {found[key]}" for key in wrong)
            needs = " ".join(
                f"DASK_{key.upper().replace('.', '__').replace('-', '_')}={value}"
                for key, value in wrong.items()
            )
            raise GraderFault(
                f"the Dask scheduler at {self.client.scheduler.address} runs with {have}: "
                f"start it with {needs}"
            )

    def __call__(self, task: Task) -> dict:
        future = self.client.submit(
            grade_on_worker,
            task,
            self.identity,
            key=f"grade-{uuid.uuid4().hex}-{task.student_id}",  # unique: never a cached result
            retries=1,
        )
        try:
            text = future.result()
        except Exception as error:  # erred twice, its workers died, or cancelled
            reason = one_line(f"{type(error).__name__}: {error}")
            return {"error": f"the grading task failed on the cluster ({reason})"}
        return json.loads(text)


@contextlib.contextmanager
def connect(address: str):
    """A Client of the cluster at `address` (tcp://host:8786), or of a LocalCluster of N
    worker processes for `local:N`; closed (and the LocalCluster stopped) on exit."""
    if not address.startswith("local:"):
        try:
            client = Client(address)
        except OSError as error:
            raise GraderFault(f"no Dask scheduler answers at {address} ({error})") from None
        with client:
            yield client
        return
    with dask.config.set({**WORKER_CONFIG, **SCHEDULER_CONFIG, **LOCAL_CONFIG}):
        cluster = LocalCluster(
            n_workers=int(address.removeprefix("local:")), threads_per_worker=1, processes=True
        )
        with cluster, Client(cluster) as client:
            yield client
