"""An assignment's kit: what every grading task of it carries, made once per run.

The kit holds the course's nbgrader_config.py, the assignment's source folder and a small SQLite
gradebook with only the assignment's cells, copied from the course gradebook, so that a task
needs no shared filesystem (rnncourse.grading.submission). When the course gradebook does not
know the assignment yet, its cells are recorded first, as `nbgrader generate_assignment` does.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

from ..engine.course_folder import CONFIG, Course
from ..engine.scratch import scratch_folder
from .gradebook import copy_assignment, fingerprint, has_assignment, open_gradebook, sqlite_url
from .session import Grader
from .submission import AssignmentKit, generate_assignment, read_folder


def assignment_kit(grader: Grader, assignment: str, say: Callable[[str], None] = print
                   ) -> tuple[AssignmentKit, dict[str, set[str]]]:
    """The assignment's kit, and the grade ids each of its notebooks must hold."""
    if not has_assignment(grader.gb, assignment):
        say(f"{assignment}: the gradebook has no cells of it yet; recording them from "
            f"source/{assignment} (as `nbgrader generate_assignment` does)")
        record_cells(grader, assignment)
    with scratch_folder("rnncourse-kit-") as tmp:
        path = Path(tmp) / "gradebook.db"
        path.write_bytes(empty_gradebook(grader.course_id))
        with open_gradebook(sqlite_url(path), grader.course_id) as kit_gb:
            copy_assignment(grader.gb, kit_gb, assignment)
            digest = fingerprint(kit_gb, assignment)
            expected = {nb.name: {c.name for c in nb.grade_cells}
                        for nb in kit_gb.find_assignment(assignment).notebooks}
        kit = AssignmentKit(
            assignment=assignment, course_id=grader.course_id,
            config=(grader.root / CONFIG).read_bytes(),
            source=read_folder(grader.root / "source" / assignment),
            gradebook=path.read_bytes(), fingerprint=digest)
    return kit, expected


def record_cells(grader: Grader, assignment: str) -> None:
    """Record the assignment's cells in the course gradebook from source/, by running
    `nbgrader generate_assignment` in a scratch copy of the course."""
    with scratch_folder("rnncourse-generate-") as tmp:
        scratch = Course.scratch(Path(tmp) / "course", [assignment], grader.root)
        (scratch.path / "gradebook.db").write_bytes(empty_gradebook(grader.course_id))
        url = generate_assignment(scratch.path, assignment, grader.course_id)
        with open_gradebook(url, grader.course_id) as generated:
            copy_assignment(generated, grader.gb, assignment)


@functools.cache
def empty_gradebook(course_id: str) -> bytes:
    """An empty SQLite gradebook of the course, made once per process (a new gradebook costs
    nbgrader an `alembic` run to find its schema version)."""
    with scratch_folder("rnncourse-empty-") as tmp:
        path = Path(tmp) / "gradebook.db"
        with open_gradebook(sqlite_url(path), course_id):
            pass
        return path.read_bytes()
