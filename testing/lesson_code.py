"""Run selected cells of a lesson's source notebook as plain Python, outside Jupyter.

The notebooks stay self-contained for students; instructor tooling that needs a lesson's own
code (the AG News loader tests, the benchmark) executes those cells instead of copying them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rnncourse.engine.course_folder import notebook_path
from rnncourse.engine.notebooks import NotebookError, cells_by_id, read_notebook, strip_markers
from testing import REPO


def lesson_namespace(assignment: str, grade_ids: list[str], root: Path = REPO) -> dict[str, Any]:
    """Execute the cells `grade_ids` of source/<assignment> in order; return their globals."""
    path = notebook_path("source", assignment, root)
    cells = cells_by_id(read_notebook(path))
    namespace: dict[str, Any] = {"__name__": f"lesson_{assignment}"}
    for gid in grade_ids:
        if gid not in cells:
            raise NotebookError(path, f"no cell with grade id {gid!r}")
        code = compile(strip_markers(cells[gid].source), f"{path}:{gid}", "exec")
        exec(code, namespace)  # the course's own instructor notebook
    return namespace
