"""The session's fixtures and markers: every assignment's known submissions, graded once per test
session through nbgrader (the helpers themselves are in tests/helpers.py)."""

from __future__ import annotations

import functools

import pytest

from testing import REPO

from .helpers import (
    ASSIGNMENTS,
    LESSONS,
    ONLY,
    Graded,
    failed_ids,
    grade_in_scratch,
    graded_class,
)

# Imported from here by older test modules; new ones import them from tests/helpers.py.
__all__ = ["ASSIGNMENTS", "LESSONS", "Graded", "failed_ids", "grade_in_scratch"]


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


@pytest.fixture(scope="session")
def graded(tmp_path_factory) -> dict[str, Graded]:
    """Every assignment's class, graded by `nbgrader autograde` in a scratch course."""
    workdir = tmp_path_factory.mktemp("courses")
    # The largest classes first: the two workers then finish at about the same time, instead
    # of one grading the last large class alone.
    largest_first = sorted(ASSIGNMENTS, key=lambda name: -len(graded_class(name)))
    classes = {name: functools.partial(LESSONS[name].students, names=graded_class(name))
               for name in largest_first}
    return grade_in_scratch(workdir, classes, REPO)
