"""Grades every assignment's known submissions once per test session, through nbgrader."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from nbformat import NotebookNode

from rnncourse import integrity
from rnncourse.course import REPO, Course, assignments, notebook_path, require_assignments
from rnncourse.gradebook import CellScore
from rnncourse.notebooks import is_answer_cell, perfect_submission, points, read_notebook
from rnncourse.variants import Variant, load_variants

# RNN_COURSE_ONLY=01_simple_rnn,03_lstm limits a run to some assignments (while writing one).
ONLY = [a for a in os.environ.get("RNN_COURSE_ONLY", "").split(",") if a]
ASSIGNMENTS = require_assignments(ONLY) if ONLY else assignments()
VARIANTS_DIR = Path(__file__).parent / "variants"


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "lesson(name): the test is about that lesson alone; RNN_COURSE_ONLY "
        "without the lesson skips it")


def pytest_collection_modifyitems(config, items):
    """Skip the tests of lessons RNN_COURSE_ONLY leaves out (see the `lesson` marker)."""
    if not ONLY:
        return
    for item in items:
        for marker in item.iter_markers("lesson"):
            if marker.args[0] not in ONLY:
                item.add_marker(pytest.mark.skip(
                    reason=f"about {marker.args[0]}, not in RNN_COURSE_ONLY={','.join(ONLY)}"))

# A notebook file cut off in the middle, as an interrupted upload leaves it.
CORRUPT = b'{\n "cells": [\n  {\n   "cell_type": "code",\n   "source": ["import tens'


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


@dataclass
class Lesson:
    name: str
    source: NotebookNode
    mutants: list[Variant]
    alternatives: list[Variant]
    # generated from the source and the mutants (rnncourse.integrity): every lesson gets them
    fair: list[Variant]
    cheats: list[Variant]

    @property
    def points(self) -> dict[str, float]:
        return points(self.source)


def lesson(name: str) -> Lesson:
    source = read_notebook(notebook_path("source", name))
    mutants, alternatives = load_variants(VARIANTS_DIR / f"{name}.py")
    fair = integrity.alternatives(source)
    cheats = integrity.cheats(source, mutants, set(points(source)))
    return Lesson(name, source, mutants, alternatives, fair, cheats)


LESSONS = {name: lesson(name) for name in ASSIGNMENTS}


def the_class(name: str):
    """The submissions graded for one assignment, named by what they are."""
    les = LESSONS[name]

    def build(release: NotebookNode) -> dict[str, NotebookNode | bytes]:
        perfect = perfect_submission(les.source, release)
        crashing = perfect_submission(les.source, release)
        for cell in crashing.cells:
            if is_answer_cell(cell):
                cell.source = 'raise RuntimeError("this submission fails in every answer cell")'
        students: dict[str, NotebookNode | bytes] = {
            "perfect": perfect,
            "blank": release,
            "raises_everywhere": crashing,
            "corrupt_file": CORRUPT,
        }
        for variant in les.mutants:
            students[f"mutant_{variant.name}"] = variant.apply(perfect)
        for variant in les.alternatives + les.fair:
            students[f"alt_{variant.name}"] = variant.apply(perfect)
        for variant in les.cheats:
            students[f"cheat_{variant.name}"] = variant.apply(perfect)
        return students

    return build


@pytest.fixture(scope="session")
def graded(tmp_path_factory) -> dict[str, Graded]:
    """Every assignment's class, graded by `nbgrader autograde` in a scratch course."""
    workdir = tmp_path_factory.mktemp("courses")
    return grade_in_scratch(workdir, {name: the_class(name) for name in ASSIGNMENTS}, REPO)


def failed_ids(graded: Graded, student: str) -> set[str]:
    scores = graded.scores[student]
    assert scores is not None, f"{student} was not graded: {graded.problems.get(student)}"
    return {gid for gid, cell in scores.items() if not cell.passed}
