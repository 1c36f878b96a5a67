"""Do the visible checks stay quiet, and do they catch mistakes? A student who solved a lesson
runs its release notebook and sees nothing under a check that passes: no stray value, no print.
A student who made one of the course's known mistakes (a mutant) sees a visible check fail
before handing in: in Colab the visible part of each check is all the feedback there is.

Each lesson's perfect submission (the release notebook with the instructor's answers) is
executed in a plain kernel of this environment, with NBGRADER_EXECUTION set so that the
lessons skip their long training runs (as when graded); then every check cell's outputs are
read. About two minutes for the eight lessons on two cores.
"""

from __future__ import annotations

import ast
import copy

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from rnncourse.course.submissions import perfect_submission
from rnncourse.engine.course_folder import notebook_path
from rnncourse.engine.notebooks import grade_id, is_test_cell, read_notebook
from testing import REPO

from .helpers import ASSIGNMENTS, LESSONS


def output_text(output: nbformat.NotebookNode) -> str:
    if output.output_type == "stream":
        return output.text
    if output.output_type == "error":
        return f"{output.ename}: {output.evalue}"
    return str(output.get("data", {}).get("text/plain", output.output_type))


def student_kernel(monkeypatch) -> None:
    """The environment of a kernel that runs a lesson as when it is graded: its long training
    runs skipped, figures drawn off screen, no shared copy of the data sets."""
    for variable in ("AG_NEWS_DATA", "TINY_SHAKESPEARE_DATA"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    monkeypatch.setenv("MPLBACKEND", "agg")


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.lesson(n))
                                  for n in ASSIGNMENTS])
def test_the_visible_checks_print_nothing_for_a_right_answer(name, tmp_path, monkeypatch):
    """Does every check cell of the release notebook run without a word on the perfect
    student's answers (no value left at the end of a cell, no print)?"""
    solved = perfect_submission(read_notebook(notebook_path("source", name, REPO)),
                                read_notebook(notebook_path("release", name, REPO)))
    student_kernel(monkeypatch)
    NotebookClient(solved, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    checks = [cell for cell in solved.cells if is_test_cell(cell)]
    assert checks, f"{name} has no check cell: the test would prove nothing"
    noisy = {cell.metadata.nbgrader.grade_id: [output_text(o)[:300] for o in cell.outputs]
             for cell in checks if cell.outputs}
    assert noisy == {}, f"{name}: check cells that show something: {noisy}"


def checks_something(source: str) -> bool:
    """Does the visible part of a test cell (its release source) run a check: a statement
    besides its docstring, imports and definitions?"""
    body = ast.parse(source).body
    return any(not isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom))
               and not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
               for node in body)


def mutants_missed_by_the_visible_checks(name: str, folder) -> dict[str, str]:
    """{mutant: why} for every mutant of lesson `name` that no visible check catches.

    One kernel, as a student runs the release notebook: the perfect answers and every cell
    once; then for each mutant its patched answer cells and the visible part of each check it
    must fail (the release notebook's test cells hold only that part), then the perfect answer
    cells again. A mutant none of whose checks has a visible part that checks something is left
    out."""
    lesson = LESSONS[name]
    solved = perfect_submission(lesson.source,
                                read_notebook(notebook_path("release", name, REPO)))
    missed = {}
    # The client's own copy: executing a cell puts it in the client's notebook.
    client = NotebookClient(copy.deepcopy(solved), timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(folder)}})

    def run(cell, index) -> str | None:
        """The error the cell raised, or None."""
        try:
            client.execute_cell(copy.deepcopy(cell), index)
        except CellExecutionError as error:
            return f"{error.ename}: {error.evalue}"
        return None

    with client.setup_kernel():
        for index, cell in enumerate(solved.cells):
            client.execute_cell(copy.deepcopy(cell), index)
        for mutant in lesson.mutants:
            student = mutant.apply(solved)
            patched = [k for k, (cell, theirs) in enumerate(zip(solved.cells, student.cells,
                                                                strict=True))
                       if cell.source != theirs.source]
            checks = [k for k, cell in enumerate(solved.cells) if is_test_cell(cell)
                      and grade_id(cell) in mutant.fails and checks_something(cell.source)]
            for k in patched:
                run(student.cells[k], k)
            if checks and not any(run(solved.cells[k], k) for k in checks):
                missed[mutant.name] = (f"passes the visible part of "
                                       f"{sorted(grade_id(solved.cells[k]) for k in checks)}")
            for k in patched:
                run(solved.cells[k], k)
    return missed


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.lesson(n))
                                  for n in ASSIGNMENTS])
def test_every_mutant_fails_a_visible_check(name, tmp_path, monkeypatch):
    """Does each of the lesson's mutants fail the visible part of at least one check it must
    fail, as a student in Colab would see it before handing in? Every lesson is held to it (08
    joined last, once its visible checks tried more than one case each). About 15 s for lesson
    07 on two cores: 10 s to run the notebook once, then about 0.2 s for each of its 22
    mutants; 12 s for lesson 08's 39 mutants on a quiet machine, 30 s under load."""
    student_kernel(monkeypatch)
    assert mutants_missed_by_the_visible_checks(name, tmp_path) == {}
