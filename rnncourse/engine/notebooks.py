"""Reading notebooks and nbgrader's cell metadata.

Everything here works on plain `nbformat` notebooks and nbgrader's cell metadata; nothing
runs a kernel.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
from nbformat import NotebookNode

SOLUTION_BEGIN = "### BEGIN SOLUTION"
SOLUTION_END = "### END SOLUTION"
HIDDEN_BEGIN = "### BEGIN HIDDEN TESTS"
HIDDEN_END = "### END HIDDEN TESTS"


class NotebookError(Exception):
    """A notebook that cannot be used, with the file and the problem in its message."""

    def __init__(self, path: Path | str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = Path(path)
        self.problem = problem


def read_notebook(path: Path | str) -> NotebookNode:
    """Read and validate a notebook, turning every failure into a `NotebookError`."""
    path = Path(path)
    if not path.is_file():
        raise NotebookError(path, "no such notebook")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise NotebookError(path, f"cannot be read ({err})") from err
    try:
        json.loads(text)
    except json.JSONDecodeError as err:
        raise NotebookError(path, f"not valid JSON ({err.msg} at line {err.lineno})") from err
    try:
        nb = nbformat.reads(text, as_version=4)
    except nbformat.ValidationError as err:
        raise NotebookError(path, f"not a valid notebook ({err.message})") from err
    except Exception as err:  # nbformat raises a zoo of reader errors
        raise NotebookError(path, f"not a readable notebook ({type(err).__name__}: {err})") from err
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as err:
        raise NotebookError(path, f"not a valid notebook ({err.message})") from err
    return nb


def write_notebook(nb: NotebookNode, path: Path | str) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def grade_id(cell: NotebookNode) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def is_answer_cell(cell: NotebookNode) -> bool:
    """An autograded answer cell: a code cell students write in."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.cell_type == "code" and bool(meta.get("solution")) and not meta.get("grade")


def is_test_cell(cell: NotebookNode) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.cell_type == "code" and bool(meta.get("grade"))


def cells_by_id(nb: NotebookNode) -> dict[str, NotebookNode]:
    return {gid: cell for cell in nb.cells if (gid := grade_id(cell))}


def strip_markers(source: str) -> str:
    """The instructor's answer as a student would type it: solution marker lines removed."""
    lines = source.splitlines()
    kept = [ln for ln in lines if ln.strip() not in (SOLUTION_BEGIN, SOLUTION_END)]
    return "\n".join(kept)


def points(nb: NotebookNode) -> dict[str, float]:
    """Points of every test cell, by grade id."""
    return {
        grade_id(cell): float(cell.metadata.nbgrader.get("points", 0))
        for cell in nb.cells
        if is_test_cell(cell)
    }


def clean(nb: NotebookNode) -> NotebookNode:
    """Drop outputs and execution counts, as committed notebooks keep none."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb


def merge_streams(nb: NotebookNode) -> NotebookNode:
    """Join consecutive stdout (or stderr) outputs of a cell into one.

    How the kernel chunks a cell's printing varies from run to run; merged, an executed
    notebook changes only when what it printed changes.
    """
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        merged: list[NotebookNode] = []
        for output in cell.outputs:
            last = merged[-1] if merged else None
            if (output.output_type == "stream" and last is not None
                    and last.output_type == "stream" and last.name == output.name):
                last.text += output.text
            else:
                merged.append(output)
        cell.outputs = merged
    return nb


def notebook_problem(path: Path | str) -> str | None:
    """None when `path` is a readable notebook; otherwise why not, naming the file."""
    try:
        read_notebook(path)
    except NotebookError as err:
        return str(err)
    return None
