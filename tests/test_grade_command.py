"""Does `python -m rnncourse.grade` grade a class exactly as sequential nbgrader does?

Small classes of lessons 01 and 04 (perfect, blank and two known bugs, one of them handed in
after the due date with a zero-for-late policy) are graded once by plain sequential
`nbgrader autograde` (`Course.autograde`), the reference, and then by the command: with two
local workers, through a Dask LocalCluster, into PostgreSQL, interrupted and resumed. Every
gradebook must equal the reference cell by cell (auto score, points, manual-grading flag,
comments, timestamp, late penalty).
"""

from __future__ import annotations

import copy
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from nbgrader.utils import parse_utc

from rnncourse.course.submissions import CUT_OFF
from rnncourse.engine.course_folder import course_id, notebook_path
from rnncourse.engine.nbgrader_run import nbgrader_env
from rnncourse.engine.notebooks import read_notebook, write_notebook
from rnncourse.grade import STATE
from rnncourse.grading.gradebook import open_gradebook, read_scores
from testing import REPO
from testing.plain_grader import PlainCourse

from .helpers import known

# Each lesson's class: known students (testing.known_class), by name.
CLASSES = {
    "01_simple_rnn": ["perfect", "blank", "mutant_global_x_shape", "mutant_tanh_activation"],
    "04_torch_basic_rnn": ["perfect", "blank", "mutant_plain_tensors",
                           "mutant_second_step_forgets"],
}
LESSONS = list(CLASSES)
CID = course_id(REPO)
DUE = "2025-01-01 00:00:00 UTC"
ON_TIME, LATE = "2024-12-31 10:00:00.000000 UTC", "2025-01-02 10:00:00.000000 UTC"
# when some students handed in: the last of each class after the due date
STAMPS = {"perfect": ON_TIME, "mutant_tanh_activation": LATE, "mutant_second_step_forgets": LATE}
LATE_POLICY = '\nc.LateSubmissionPlugin.penalty_method = "zero"\n'
POSTGRES_ENV = "RNNCOURSE_TEST_POSTGRES_URL"


def the_class(name: str, release) -> dict:
    return known(name).students(release, CLASSES[name])


def hand_in(course: PlainCourse, classes: dict[str, dict]) -> None:
    """Submit the classes, with timestamps, and give the assignments a due date."""
    with open(course.path / "nbgrader_config.py", "a") as config:
        config.write(LATE_POLICY)
    for name, students in classes.items():
        for student, nb in students.items():
            course.submit(name, student, nb)
            if student in STAMPS:
                folder = notebook_path("submitted", name, course.path, student).parent
                (folder / "timestamp.txt").write_text(STAMPS[student])
    set_due_dates(course, classes)


def set_due_dates(course: PlainCourse, names) -> None:
    with open_gradebook(course.db_url, CID) as gb:
        for name in names:
            gb.update_or_create_assignment(name, duedate=parse_utc(DUE))


def view(url: str, assignment: str) -> dict:
    """Everything autograding records for each student, as the gradebook holds it."""
    out = {}
    with open_gradebook(url, CID) as gb:
        for sub in gb.assignment_submissions(assignment):
            notebooks = {}
            for nb in sub.notebooks:
                notebooks[nb.name] = {
                    "penalty": nb.late_submission_penalty,
                    "grades": {g.name: (g.auto_score, g.max_score, g.needs_manual_grade)
                               for g in nb.grades},
                    "comments": {c.name: c.auto_comment for c in nb.comments},
                }
            out[sub.student.id] = {"timestamp": sub.timestamp, "notebooks": notebooks}
    return out


def run_grade(course: Path, *args: str, timeout: int = 1200) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "rnncourse.grade", *args, "--course", str(course),
           "--no-progress"]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                          env=nbgrader_env())


def graded_count(done: subprocess.CompletedProcess) -> int:
    match = re.search(r"^Graded (\d+) submissions", done.stdout, re.M)
    assert match, done.stdout[-3000:] + done.stderr[-3000:]
    return int(match.group(1))


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The classes, and their gradebook as plain sequential nbgrader autograde leaves it."""
    course = PlainCourse.scratch(tmp_path_factory.mktemp("reference"), LESSONS)
    classes = {name: the_class(name, course.generate(name)) for name in LESSONS}
    hand_in(course, classes)
    for name in LESSONS:
        assert course.autograde(name) == {}
    views = {name: view(course.db_url, name) for name in LESSONS}
    late = views["01_simple_rnn"]["mutant_tanh_activation"]
    assert late["notebooks"]["01_simple_rnn"]["penalty"] > 0
    return classes, views


def fresh_course(tmp_path_factory, label: str, classes: dict, config: str = "") -> PlainCourse:
    """A course folder with the classes handed in; its gradebook knows only the due dates."""
    course = PlainCourse.scratch(tmp_path_factory.mktemp(label), list(classes))
    with open(course.path / "nbgrader_config.py", "a") as file:
        file.write(config)
    hand_in(course, classes)
    return course


BAD = "01_simple_rnn"  # the lesson whose class also holds every kind of bad input
MISSING = "99_no_such_lesson"


def hand_in_bad_input(course: PlainCourse, perfect) -> None:
    name = BAD
    course.submit(name, "unreadable", CUT_OFF)
    course.submit(name, "not_a_notebook", b"\x89PNG\r\n\x1a\n\x00\x00 a picture")
    write_notebook(perfect, course.path / "submitted" / "wrong_name" / name
                   / f"Copy of {name}.ipynb")
    empty = course.path / "submitted" / "no_notebook" / name
    empty.mkdir(parents=True)
    (empty / "notes.txt").write_text("I did it on paper")
    stripped = copy.deepcopy(perfect)
    for cell in stripped.cells:
        cell.metadata.pop("nbgrader", None)
    course.submit(name, "lost_metadata", stripped)


@pytest.fixture(scope="module")
def parallel(tmp_path_factory, reference):
    """Both lessons' classes, and bad input, graded by the command with two local workers."""
    classes, _ = reference
    course = fresh_course(tmp_path_factory, "parallel", classes)
    hand_in_bad_input(course, classes[BAD]["perfect"])
    started = time.perf_counter()
    done = run_grade(course.path, MISSING, *LESSONS, "--workers", "2")
    print(f"command, 2 workers, {2 * len(classes['01_simple_rnn'])} submissions: "
          f"{time.perf_counter() - started:.0f} s")
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    return course, done


def test_two_workers_grade_exactly_as_sequential_nbgrader(reference, parallel):
    """Does the command with 2 workers record what nbgrader autograde records, cell by cell?"""
    _, expected = reference
    course, done = parallel
    assert graded_count(done) == 8
    for name in LESSONS:
        assert view(course.db_url, name) == expected[name]
        for student in expected[name]:
            assert notebook_path("autograded", name, course.path, student).is_file()
            html = notebook_path("feedback", name, course.path, student).with_suffix(".html")
            assert "Score:" in html.read_text(encoding="utf-8")
    assert (course.path / "grades.csv").is_file()


def test_report_pass_rates_match_the_gradebook(parallel):
    """Does the printed table give each check's real pass rate, points and docstring?"""
    course, done = parallel
    for name in LESSONS:
        scores = read_scores(course.db_url, CID, name)
        source = read_notebook(notebook_path("source", name, REPO))
        docs = {cell.metadata.nbgrader.grade_id: cell.source.strip().splitlines()[0].strip('"')
                for cell in source.cells if cell.metadata.get("nbgrader", {}).get("grade")}
        table = (course.path / "reports" / f"{name}.txt").read_text()
        assert table in done.stdout
        rows = re.findall(r"^\s+(\d+)%\s+([\d.]+)\s+(\S+)\s+(.*)$", table, re.M)
        assert [r[2] for r in rows] and {r[2] for r in rows} == set(docs)
        shares = []
        for share, points, gid, what in rows:
            passed = sum(cells[gid].passed for cells in scores.values())
            assert int(share) == round(100 * passed / len(scores)), (gid, share)
            assert float(points) == next(iter(scores.values()))[gid].max_score
            assert what == docs[gid]
            shares.append(int(share))
        assert shares == sorted(shares), "the most failed checks come first"
        png = course.path / "reports" / f"{name}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert str(png) in done.stdout


def test_rerun_grades_nothing(reference, parallel):
    """Does running the command again grade nobody, and change nothing?"""
    course, _ = parallel
    done = run_grade(course.path, *LESSONS, "--workers", "2")
    assert done.returncode == 1 and graded_count(done) == 0, done.stdout[-2000:]
    for name in LESSONS:
        assert view(course.db_url, name) == reference[1][name]


def test_rerun_after_deleting_one_students_results_grades_only_them(reference, parallel):
    """Are a student's deleted results, and only theirs, graded again?"""
    course, _ = parallel
    removed = notebook_path("autograded", "04_torch_basic_rnn", course.path,
                            "mutant_plain_tensors").parent
    for path in removed.iterdir():
        path.chmod(0o644)
    for path in removed.iterdir():
        path.unlink()
    removed.rmdir()
    done = run_grade(course.path, *LESSONS, "--workers", "2")
    assert done.returncode == 1 and graded_count(done) == 1, done.stdout[-2000:]
    assert "04_torch_basic_rnn: 1 to grade" in done.stdout
    assert "01_simple_rnn: 0 to grade" in done.stdout
    assert removed.is_dir()
    for name in LESSONS:
        assert view(course.db_url, name) == reference[1][name]


def test_dask_local_cluster_grades_exactly_as_sequential_nbgrader(tmp_path_factory, reference):
    """Does grading through a Dask cluster of two worker processes give the same gradebook?"""
    from dask.distributed import LocalCluster

    classes, expected = reference
    name = "01_simple_rnn"
    course = fresh_course(tmp_path_factory, "dask", {name: classes[name]})
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        done = run_grade(course.path, name, "--scheduler", cluster.scheduler_address)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert graded_count(done) == 4 and "on the Dask cluster at tcp://" in done.stdout
    assert view(course.db_url, name) == expected[name]


@pytest.fixture
def postgres_url():
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        message = (f"{POSTGRES_ENV} is not set: no PostgreSQL server to grade into; "
                   "`make test POSTGRES=1` installs and starts one and sets it, as CI does")
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    import sqlalchemy

    name = f"rnncourse_test_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sqlalchemy.engine.make_url(url).set(database=name).render_as_string(
            hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sqlalchemy.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_postgresql_gradebook_equals_sequential_nbgrader_and_exports(
        tmp_path_factory, reference, postgres_url):
    """Does grading into PostgreSQL give the same rows, and does nbgrader export read them?"""
    classes, expected = reference
    name = "04_torch_basic_rnn"
    course = fresh_course(tmp_path_factory, "postgres", {name: classes[name]},
                          config=f"\nc.CourseDirectory.db_url = {postgres_url!r}\n")
    done = run_grade(course.path, name, "--workers", "2")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert graded_count(done) == 4 and "postgresql://" in done.stdout
    assert not (course.path / "gradebook.db").exists(), "nothing may go to SQLite"
    assert view(postgres_url, name) == expected[name]
    rows = (course.path / "grades.csv").read_text().splitlines()
    header = rows[0].split(",")
    exported = {r.split(",")[header.index("student_id")]: float(r.split(",")[
        header.index("score")]) for r in rows[1:]}
    want = {}
    for student, sub in expected[name].items():
        nb = sub["notebooks"][name]
        want[student] = sum(g[0] for g in nb["grades"].values()) - (nb["penalty"] or 0)
    assert exported == want


def test_interrupted_run_finishes_on_rerun_with_a_consistent_gradebook(
        tmp_path_factory, reference):
    """Killed part-way (process group, SIGKILL), does a rerun finish exactly the rest?"""
    classes, expected = reference
    name = "01_simple_rnn"
    course = fresh_course(tmp_path_factory, "interrupted", {name: classes[name]})
    records = course.path / STATE / "graded" / name
    cmd = [sys.executable, "-m", "rnncourse.grade", name, "--workers", "2", "--course",
           str(course.path), "--no-progress"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True, env=nbgrader_env())
    deadline = time.monotonic() + 900
    while not (records.is_dir() and any(records.glob("*.json"))):
        assert proc.poll() is None, "the command ended before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    done_before = {p.stem for p in records.glob("*.json")}
    assert 1 <= len(done_before) < 4
    # consistent: every row there is whole, and the recorded ones equal the reference
    partial = view(course.db_url, name)
    for student in done_before:
        assert partial[student] == expected[name][student]
    for student, sub in partial.items():
        grades = sub["notebooks"][name]["grades"].values()
        assert all(g[0] is not None for g in grades) or student not in done_before
    done = run_grade(course.path, name, "--workers", "2")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert graded_count(done) == 4 - len(done_before)
    assert view(course.db_url, name) == expected[name]
    incoming = course.path / STATE / "incoming"
    assert not incoming.exists() or not any(incoming.iterdir()), "staged results left behind"


def test_bad_input_is_named_and_the_rest_is_graded(reference, parallel):
    """Missing assignment, unreadable file, wrong name, no notebook, lost metadata: each named
    with its file and reason, while the rest of the class is graded?"""
    course, done = parallel
    name = BAD
    submitted = course.path / "submitted"
    expected_lines = {
        MISSING: (f"source/{MISSING}/{MISSING}.ipynb", "no such assignment"),
        "unreadable": (f"{submitted}/unreadable/{name}/{name}.ipynb", "not valid JSON"),
        "not_a_notebook": (f"{submitted}/not_a_notebook/{name}/{name}.ipynb", "cannot be read"),
        "wrong_name": (f"{submitted}/wrong_name/{name}/Copy of {name}.ipynb", "wrong name"),
        "no_notebook": (f"{submitted}/no_notebook/{name}", "no notebook"),
        "lost_metadata": (f"{submitted}/lost_metadata/{name}/{name}.ipynb",
                          "lost their nbgrader metadata"),
    }
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("NOT GRADED")]
    assert len(lines) == len(expected_lines), lines
    for who, (path, reason) in expected_lines.items():
        found = [ln for ln in lines if f" {who}: " in ln or ln.startswith(f"NOT GRADED {who}:")]
        assert found and path in found[0] and reason in found[0], (who, lines)
    # listed again at the end, after everyone else was graded
    summary = done.stdout[done.stdout.index("\nGraded "):]
    assert all(f"  {line}" in summary for line in lines)
    assert set(read_scores(course.db_url, CID, name)) == set(reference[0][name])
