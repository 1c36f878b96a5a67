"""Grades every assignment's known submissions once per test session, through nbgrader."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from nbformat import NotebookNode

from rnncourse import known_class
from rnncourse.course import REPO, Course, assignments, notebook_path, require_assignments
from rnncourse.gradebook import CellScore
from rnncourse.notebooks import read_notebook

# RNN_COURSE_ONLY=01_simple_rnn,03_lstm limits a run to some assignments (while writing one).
ONLY = [a for a in os.environ.get("RNN_COURSE_ONLY", "").split(",") if a]
ASSIGNMENTS = require_assignments(ONLY) if ONLY else assignments()


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "lesson(name): the test is about that lesson alone; RNN_COURSE_ONLY "
        "without the lesson skips it")
    config.addinivalue_line(
        "markers", "unit: a test of the tooling's pieces on their own, in seconds, without "
        "grading anything (the fast tier: pytest -m unit)")


def pytest_collection_modifyitems(config, items):
    """Skip the tests of lessons RNN_COURSE_ONLY leaves out (see the `lesson` marker)."""
    if not ONLY:
        return
    for item in items:
        for marker in item.iter_markers("lesson"):
            if marker.args[0] not in ONLY:
                item.add_marker(pytest.mark.skip(
                    reason=f"about {marker.args[0]}, not in RNN_COURSE_ONLY={','.join(ONLY)}"))


@dataclass
class Graded:
    """What grading one assignment gave: scores per student, and what could not be graded."""

    release: NotebookNode
    scores: dict[str, dict[str, CellScore] | None]
    problems: dict[str, str]
    course: Path

    def autograded(self, student: str) -> NotebookNode:
        """The notebook as nbgrader ran it for `student`."""
        assignment = self.course.joinpath("source").iterdir().__next__().name
        return read_notebook(notebook_path("autograded", assignment, self.course, student))


def grade_in_scratch(
    workdir: Path,
    submissions: dict[str, Callable[[NotebookNode], dict[str, NotebookNode | bytes]]],
    root: Path = REPO,
    workers: int = 2,
) -> dict[str, Graded]:
    """Grade several assignments, each in its own scratch course, `workers` at a time.

    `submissions[assignment]` receives the release notebook nbgrader generated and returns
    the class to grade, `{student: notebook or raw bytes}`; each class is graded by plain
    sequential `nbgrader autograde` (`Course.autograde`).
    """

    def grade_one(assignment: str) -> Graded:
        course = Course.scratch(Path(workdir) / assignment, [assignment], root)
        release = course.generate(assignment)
        for student, nb in submissions[assignment](release).items():
            course.submit(assignment, student, nb)
        problems = course.autograde(assignment)
        return Graded(release, course.scores(assignment), problems, course.path)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return dict(zip(submissions, pool.map(grade_one, submissions), strict=True))


# Each assignment's known class (rnncourse.known_class): the tests grade all of it.
LESSONS = {name: known_class.load(name) for name in ASSIGNMENTS}


@pytest.fixture(scope="session")
def graded(tmp_path_factory) -> dict[str, Graded]:
    """Every assignment's class, graded by `nbgrader autograde` in a scratch course."""
    workdir = tmp_path_factory.mktemp("courses")
    classes = {name: LESSONS[name].students for name in ASSIGNMENTS}
    return grade_in_scratch(workdir, classes, REPO)


def failed_ids(graded: Graded, student: str) -> set[str]:
    scores = graded.scores[student]
    assert scores is not None, f"{student} was not graded: {graded.problems.get(student)}"
    return {gid for gid, cell in scores.items() if not cell.passed}
