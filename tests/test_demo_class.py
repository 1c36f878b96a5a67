"""Is the demo's class, saved with the package (rnncourse/course/demo_class.json), what each
lesson's variants file chooses, and does it still apply to the lesson?"""

from __future__ import annotations

import pytest

from rnncourse.course import demo, demo_class
from rnncourse.course.submissions import perfect_submission
from rnncourse.engine.course_folder import notebook_path
from rnncourse.engine.notebooks import read_notebook
from testing import REPO
from testing import demo_class as snapshot

from .helpers import ASSIGNMENTS, VARIANTS

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_saved_demo_students_are_the_variants_files_choice(name):
    saved = demo_class.read().get(name)
    assert saved == snapshot.from_variants(VARIANTS, name), (
        f"{demo_class.SNAPSHOT} is stale for {name}: run `make release` (or "
        f"`.venv/bin/python -m testing.demo_class tests/variants {name}`)")


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_demo_class_applies_to_the_lesson(name):
    source = read_notebook(notebook_path("source", name, REPO))
    release = read_notebook(notebook_path("release", name, REPO))
    perfect = perfect_submission(source, release)
    for row, (student, variant) in demo_class.chosen(name).items():
        assert variant.apply(perfect) != perfect, (row, student)
    made, notes = demo.students(name, REPO)
    assert list(made) == demo.STUDENTS and set(notes) == set(demo_class.CHOSEN)
