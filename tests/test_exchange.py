"""Does a class go through a JupyterHub's nbgrader exchange and get back its own feedback?

The whole round trip, as on a hub but in a scratch folder: the instructor releases lesson 01 to
a shared exchange, two students fetch it into their own home folders, one hands in the perfect
solution and one the untouched notebook, the instructor collects, grades and releases feedback,
and each student fetches theirs.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from traitlets.config.loader import PyFileConfigLoader

from rnncourse.course.submissions import perfect_submission
from rnncourse.engine.course_folder import course_id, notebook_path
from rnncourse.engine.nbgrader_run import nbgrader_env
from rnncourse.engine.notebooks import read_notebook, write_notebook
from testing import REPO
from testing.plain_grader import PlainCourse

pytestmark = pytest.mark.lesson("01_simple_rnn")

ASSIGNMENT = "01_simple_rnn"
STUDENTS = ("ada_perfect", "bo_blank")
COURSE_ID = course_id(REPO)
FEEDBACK_SCORE = re.compile(rf"{ASSIGNMENT} \(Score: ([0-9.]+) / ([0-9.]+)\)")


def grade(course: PlainCourse, assignment: str) -> None:
    """The instructor's grading step: the one place to change when grading gets a new command."""
    problems = course.autograde(assignment)
    assert not problems, problems


def nbgrader_as(home: Path, cwd: Path, *args: str) -> str:
    """Run an nbgrader command as the user whose home folder is `home`, from `cwd`.

    Each user's Jupyter folders (among them the cache of what a student submitted, which
    `fetch_feedback` needs) live under their own home, as on a hub.
    """
    env = nbgrader_env({k: v for k, v in os.environ.items()
                        if k not in ("JUPYTER_DATA_DIR", "JUPYTER_CONFIG_DIR", "XDG_DATA_HOME")})
    env["HOME"] = str(home)
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stdout}{done.stderr}"
    return done.stdout + done.stderr


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.unit
def test_course_id_is_the_one_the_tooling_reads():
    """Do the exchange (students pass --course) and the gradebook use the same course id?"""
    config = PyFileConfigLoader("nbgrader_config.py", path=str(REPO)).load_config()
    assert config.CourseDirectory.course_id == COURSE_ID == "rnn-from-scratch"


def test_round_trip_through_the_exchange(tmp_path):
    """Does each of two students get back their own feedback, with their own score?"""
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    on_exchange = f"--Exchange.root={exchange}"
    course = PlainCourse.scratch(tmp_path / "course", [ASSIGNMENT])
    source = read_notebook(notebook_path("source", ASSIGNMENT, course.path))
    homes = {who: tmp_path / "home" / who for who in ("instructor", *STUDENTS)}
    for home in homes.values():
        home.mkdir(parents=True)
    instructor = homes["instructor"]

    # Instructor: generate the student version and put it on the exchange.
    course.generate(ASSIGNMENT)
    nbgrader_as(instructor, course.path, "release_assignment", ASSIGNMENT, on_exchange)
    # The modes docs/instructors.md describes: students may drop submissions into inbound but
    # not list each other's.
    assert mode(exchange) == 0o777
    assert mode(exchange / COURSE_ID / "outbound") == 0o755
    assert mode(exchange / COURSE_ID / "inbound") == 0o2733

    # Students: fetch, work, submit. nbgrader takes the student id from the login name, which
    # is the same for every simulated student here, so each one passes --student.
    for student in STUDENTS:
        home = homes[student]
        as_student = ["--course", COURSE_ID, f"--student={student}", on_exchange]
        nbgrader_as(home, home, "fetch_assignment", ASSIGNMENT, *as_student)
        fetched = home / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        if student == "ada_perfect":
            write_notebook(perfect_submission(source, read_notebook(fetched)), fetched)
        nbgrader_as(home, home, "submit", ASSIGNMENT, *as_student)

    # Instructor: collect, grade, write and release the feedback.
    nbgrader_as(instructor, course.path, "collect", ASSIGNMENT, on_exchange)
    assert course.students(ASSIGNMENT) == sorted(STUDENTS)
    grade(course, ASSIGNMENT)
    nbgrader_as(instructor, course.path, "generate_feedback", ASSIGNMENT)
    nbgrader_as(instructor, course.path, "release_feedback", ASSIGNMENT, on_exchange)
    assert mode(exchange / COURSE_ID / "feedback") == 0o711  # each fetches only their own

    # Students: fetch their feedback; each gets one report, with their own score.
    scores = course.scores(ASSIGNMENT)
    expected = {"ada_perfect": (10.0, 10.0), "bo_blank": (0.0, 10.0)}
    for student in STUDENTS:
        home = homes[student]
        nbgrader_as(home, home, "fetch_feedback", ASSIGNMENT, "--course", COURSE_ID,
                    f"--student={student}", on_exchange)
        reports = sorted((home / ASSIGNMENT / "feedback").glob(f"*/{ASSIGNMENT}.html"))
        assert len(reports) == 1, f"{student} fetched {reports}"
        found = FEEDBACK_SCORE.findall(reports[0].read_text(encoding="utf-8"))
        assert [tuple(map(float, f)) for f in found] == [expected[student]], (student, found)
        graded = scores[student]
        assert graded is not None, f"{student} has no grades"
        total = (sum(c.score for c in graded.values()), sum(c.max_score for c in graded.values()))
        assert total == expected[student]
