"""Do the visible checks stay quiet? A student who solved a lesson runs its release notebook
and sees nothing under a check that passes: no stray value, no print.

Each lesson's perfect submission (the release notebook with the instructor's answers) is
executed once, in a plain kernel of this environment, with NBGRADER_EXECUTION set so that the
lessons skip their long training runs (as when graded); then every check cell's outputs are
read. About two minutes for the eight lessons on two cores.
"""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient

from rnncourse.course.submissions import perfect_submission
from rnncourse.engine.course_folder import notebook_path
from rnncourse.engine.notebooks import is_test_cell, read_notebook
from testing import REPO

from .helpers import ASSIGNMENTS


def output_text(output: nbformat.NotebookNode) -> str:
    if output.output_type == "stream":
        return output.text
    if output.output_type == "error":
        return f"{output.ename}: {output.evalue}"
    return str(output.get("data", {}).get("text/plain", output.output_type))


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.lesson(n))
                                  for n in ASSIGNMENTS])
def test_the_visible_checks_print_nothing_for_a_right_answer(name, tmp_path, monkeypatch):
    """Does every check cell of the release notebook run without a word on the perfect
    student's answers (no value left at the end of a cell, no print)?"""
    solved = perfect_submission(read_notebook(notebook_path("source", name, REPO)),
                                read_notebook(notebook_path("release", name, REPO)))
    for variable in ("AG_NEWS_DATA", "TINY_SHAKESPEARE_DATA"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    monkeypatch.setenv("MPLBACKEND", "agg")
    NotebookClient(solved, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    checks = [cell for cell in solved.cells if is_test_cell(cell)]
    assert checks, f"{name} has no check cell: the test would prove nothing"
    noisy = {cell.metadata.nbgrader.grade_id: [output_text(o)[:300] for o in cell.outputs]
             for cell in checks if cell.outputs}
    assert noisy == {}, f"{name}: check cells that show something: {noisy}"
