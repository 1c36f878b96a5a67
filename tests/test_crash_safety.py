"""Does a grading run killed outright lose nothing and leave nothing behind?

`python -m rnncourse.grade` is sent SIGKILL part-way through a small class of lesson 04 (the
command alone, as an out-of-memory killer or a closed SSH session would, not its process
group): every process it started (workers, judges, sandboxed kernels, multiprocessing's
helpers) must be gone within 10 s, the scratch folders they left must be gone after the next
run, and the next run must finish the class with every check's verdict as the known class
says. The same for a Dask worker killed mid-run (a `dask scheduler` and two `dask worker`
processes started here): its submissions are graded again on the other worker.

Processes "of a run" are found three ways, so that none started after the last look escapes:
the process tree under the command, watched while it runs; every process whose environment
holds this test's marker (workers and judges inherit it); every process whose command line
names this test's folder (the sandboxed kernels, whose environment is cleared, run in boxes
under it).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from rnncourse.engine.course_folder import course_id
from rnncourse.engine.nbgrader_run import nbgrader_env
from rnncourse.grade import STATE
from rnncourse.grading.gradebook import open_gradebook, scores
from testing import REPO
from testing.plain_grader import PlainCourse

from .helpers import known

pytestmark = pytest.mark.lesson("04_torch_basic_rnn")

A = "04_torch_basic_rnn"
STUDENTS = ["perfect", "blank", "mutant_plain_tensors"]
MARKER = "RNNCOURSE_CRASH_TEST"


def proc_table() -> dict[int, tuple[int, str]]:
    """Every process: pid -> (parent pid, start time), from /proc."""
    table = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z":
                table[int(entry.name)] = (int(fields[1]), fields[19])
    return table


def tree(root: int, table: dict[int, tuple[int, str]]) -> set[tuple[int, str]]:
    """`root` and its descendants, each as (pid, start time) so a reused pid is not them."""
    found, todo = set(), [root]
    while todo:
        pid = todo.pop()
        if pid in table:
            found.add((pid, table[pid][1]))
            todo += [child for child, (parent, _) in table.items() if parent == pid]
    return found


def marked(marker: str, folder: Path) -> set[tuple[int, str]]:
    """Processes whose environment holds `marker`, or whose command line names `folder`."""
    table, found = proc_table(), set()
    for pid, (_, start) in table.items():
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes()
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if marker.encode() in environ or str(folder).encode() in cmdline:
            found.add((pid, start))
    return found


def still_running(processes: set[tuple[int, str]]) -> set[tuple[int, str]]:
    """The ones of `processes` that run still (neither gone, nor a zombie, nor a new process
    under a reused pid); reads only their own /proc entries, so it can be asked often."""
    running = set()
    for pid, start in processes:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and fields[19] == start:
            running.add((pid, start))
    return running


def describe(processes: set[tuple[int, str]]) -> list[str]:
    lines = []
    for pid, _ in processes:
        try:
            lines.append(Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
                         .decode(errors="replace")[:200])
        except OSError:
            pass
    return lines


def time_until_gone(processes: set[tuple[int, str]], since: float, limit: float = 10.0
                    ) -> tuple[float, str]:
    """Seconds from `since` until the last of `processes` ended, and what it was; fails after
    `limit`."""
    last = ""
    while left := still_running(processes):
        assert time.monotonic() - since < limit, (
            f"{len(left)} processes of the killed run still running after {limit:g} s: "
            f"{describe(left)}")
        last = " ".join(describe(left))[:120]
        time.sleep(0.02)
    return time.monotonic() - since, last


def scratch_left(where: list[Path]) -> set[Path]:
    return {p for folder in where for p in folder.glob("rnncourse-*")}


def expected_verdicts(assignment: str, students: list[str]) -> dict[str, dict[str, bool]]:
    """Every check's verdict the known class says each student gets."""
    cls = known(assignment)
    checks = list(cls.points)
    fails = {name: set(checks) if name == "blank" else set(
        cls.variants[name].fails if name in cls.variants else ()) for name in students}
    return {s: {c: c not in fails[s] for c in checks} for s in students}


def verdicts(course: PlainCourse) -> dict[str, dict[str, bool]]:
    with open_gradebook(course.db_url, course_id(REPO)) as gb:
        return {s: {c: v.passed for c, v in cells.items()}
                for s, cells in scores(gb, A).items() if cells}


@pytest.fixture(scope="module")
def the_class(tmp_path_factory):
    """A course with lesson 04 released, and the class's notebooks."""
    course = PlainCourse.scratch(tmp_path_factory.mktemp("crash-template") / "course", [A])
    release = course.generate(A)
    return course, known(A).students(release, STUDENTS)


def handed_in(the_class, tmp: Path) -> tuple[PlainCourse, dict[str, str], list[Path]]:
    """A fresh copy of the course with the class handed in; its environment and the folders
    its scratch folders go to (a temporary folder and the sandbox's boxes, inside `tmp`)."""
    import shutil

    template, notebooks = the_class
    shutil.copytree(template.path, tmp / "course")
    course = PlainCourse(tmp / "course")
    for student, nb in notebooks.items():
        course.submit(A, student, nb)
    places = [tmp / "scratch", tmp / "boxes"]
    for place in places:
        place.mkdir()
    with open(course.path / "nbgrader_config.py", "a") as config:
        config.write(f"\nc.GradingSandbox.box_root = {str(places[1])!r}\n")
    env = {**nbgrader_env(), "TMPDIR": str(places[0]), MARKER: uuid.uuid4().hex}
    return course, env, places


def wait_for_first_record(course: PlainCourse, proc: subprocess.Popen, watched: set,
                          root: int | None = None) -> None:
    """Until one submission is recorded, while the run goes on; collects its processes."""
    records = course.path / STATE / "graded" / A
    deadline = time.monotonic() + 900
    while not (records.is_dir() and any(records.glob("*.json"))):
        assert proc.poll() is None, "the run ended before it could be killed"
        assert time.monotonic() < deadline, "no submission graded in 15 minutes"
        if root is not None:
            watched |= tree(root, proc_table())
        time.sleep(0.1)


def test_sigkill_mid_class_leaves_no_process_and_the_next_run_finishes_right(
        the_class, tmp_path):
    """Killed with SIGKILL mid-class, does every process of the run end within 10 s, and does
    the next run remove the scratch folders left and grade every submission right?"""
    course, env, places = handed_in(the_class, tmp_path)
    cmd = [sys.executable, "-m", "rnncourse.grade", A, "--workers", "2", "--course",
           str(course.path), "--no-progress"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=env)
    watched: set[tuple[int, str]] = set()
    wait_for_first_record(course, proc, watched, proc.pid)
    deadline = time.monotonic() + 300
    while not running_kernel(now := tree(proc.pid, proc_table())):  # a notebook mid-run
        assert proc.poll() is None and time.monotonic() < deadline, "no notebook ran any more"
        watched |= now
        time.sleep(0.05)
    watched |= now | marked(env[MARKER], tmp_path)
    killed = time.monotonic()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    seconds, last = time_until_gone(watched | marked(env[MARKER], tmp_path), killed)
    assert not marked(env[MARKER], tmp_path), describe(marked(env[MARKER], tmp_path))
    print(f"\nSIGKILL to the last of {len(watched)} processes gone: {seconds:.2f} s ({last})")
    left = scratch_left(places)
    assert left, "the killed run left no scratch folder: nothing tested the sweep"
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=900, env=env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "scratch folders that a grading run killed" in done.stdout
    assert not scratch_left(places), scratch_left(places)
    assert verdicts(course) == expected_verdicts(A, STUDENTS)
    assert not marked(env[MARKER], tmp_path)


def start(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(cmd, stdout=open(log, "wb"), stderr=subprocess.STDOUT, env=env)


def running_kernel(processes: set[tuple[int, str]]) -> bool:
    """Is one of `processes` a student's kernel (rnncourse/engine/student_kernel.py)?"""
    return any(b"student_kernel" in cmd for cmd in (
        command(pid) for pid, _ in processes))


def command(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def being_graded_by(worker: int, scratch: Path) -> list[str]:
    """The students whose scratch course the process `worker` holds (rnncourse.engine.scratch)."""
    found = []
    for folder in scratch.glob("rnncourse-grade-*"):
        try:
            owner = int((folder / ".owner").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            continue
        if owner == worker:
            found += [p.name for p in (folder / "course" / "submitted").glob("*")]
    return found


def test_a_dask_worker_killed_mid_run_has_its_submissions_graded_elsewhere(
        the_class, tmp_path):
    """A `dask worker` killed with SIGKILL while it grades: do its judge and kernel end with
    it, and is its submission graded again on the other worker, every one right?"""
    course, env, places = handed_in(the_class, tmp_path)
    port = 20000 + os.getpid() % 20000
    address = f"tcp://127.0.0.1:{port}"
    scheduler = start([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host",
                       "127.0.0.1", "--port", str(port), "--dashboard-address", ":0"],
                      env, tmp_path / "scheduler.log")
    workers = [start([sys.executable, "-m", "distributed.cli.dask_worker", address,
                      "--nthreads", "1", "--no-nanny", "--name", f"w{i}"],
                     env, tmp_path / f"worker{i}.log") for i in range(2)]
    try:
        cmd = [sys.executable, "-m", "rnncourse.grade", A, "--scheduler", address,
               "--course", str(course.path), "--no-progress"]
        grading = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   env=env, text=True)
        deadline = time.monotonic() + 600
        while not (busy := [w for w in workers if being_graded_by(w.pid, places[0])
                            and running_kernel(tree(w.pid, proc_table()))]):
            assert grading.poll() is None, "the run ended before a worker could be killed"
            assert time.monotonic() < deadline, "no worker ran a notebook in 10 minutes"
            time.sleep(0.05)
        victim, other = busy[0], next(w for w in workers if w is not busy[0])
        student = being_graded_by(victim.pid, places[0])[0]
        processes = tree(victim.pid, proc_table())
        killed = time.monotonic()
        os.kill(victim.pid, signal.SIGKILL)
        seconds, last = time_until_gone(processes, killed)
        print(f"\ndask worker SIGKILL to the last of {len(processes)} of its processes gone: "
              f"{seconds:.2f} s ({last})")
        out, _ = grading.communicate(timeout=900)
        assert grading.returncode == 0, out[-4000:]
        assert verdicts(course) == expected_verdicts(A, STUDENTS)
        record = (course.path / STATE / "graded" / A / f"{student}.json").read_text()
        assert f":{other.pid}\"" in record, record  # graded again on the other worker
    finally:
        for process in [*workers, scheduler]:
            process.kill()
            process.wait()
