"""Is the demo's class, saved with the package (rnncourse/demo_class.json), what each lesson's
variants file chooses, and does it still apply to the lesson?"""

from __future__ import annotations

import pytest

from rnncourse import demo, demo_class
from rnncourse.course import notebook_path
from rnncourse.notebooks import perfect_submission, read_notebook

from .helpers import ASSIGNMENTS, VARIANTS

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_saved_demo_students_are_the_variants_files_choice(name):
    saved = demo_class.read().get(name)
    assert saved == demo_class.from_variants(VARIANTS, name), (
        f"{demo_class.SNAPSHOT} is stale for {name}: run `make release` (or "
        f"`.venv/bin/python -m rnncourse.demo_class tests/variants {name}`)")


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_demo_class_applies_to_the_lesson(name):
    source = read_notebook(notebook_path("source", name))
    release = read_notebook(notebook_path("release", name))
    perfect = perfect_submission(source, release)
    for row, (student, variant) in demo_class.chosen(name).items():
        assert variant.apply(perfect) != perfect, (row, student)
    made, notes = demo.students(name)
    assert list(made) == demo.STUDENTS and set(notes) == set(demo_class.CHOSEN)
