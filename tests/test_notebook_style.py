"""Do the lessons speak with one voice? Line length and one skeleton of headings, every lesson.

Every lesson under source/ follows the same skeleton, with the same heading style:

    # Lesson NN · Title          title and goals (the first cell)
    ## Set-up                    the set-up and helper cells
    ## 1. ...                    the lesson, in numbered sections
    ### Task 1 · ...             a task, followed by its answer and test cells
    ## What to remember
    ## Going further             ending with a line on what comes next
    ## How your work is checked  the probes, the grading and the helpers, for the curious

The first screen is about RNNs: the set-up and helper cells are folded (a `#@title` line, which
Colab shows as a form, and metadata that hides the source in Jupyter), the set-up section says in
two sentences how the checks work and links to the last section, which says the rest.

Code cells keep to the project's 100-character lines.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rnncourse.course import shared_cells
from rnncourse.engine.course_folder import notebook_path
from rnncourse.engine.notebooks import grade_id, is_answer_cell, is_test_cell, read_notebook
from testing import REPO

from .helpers import ASSIGNMENTS, section_text

pytestmark = pytest.mark.unit

SOURCE = Path(__file__).resolve().parents[1] / "source"
MAX_LINE = 100
CHECKED = "How your work is checked"
# The shared helpers only the checks call, which the last section need not list.
CHECKS_ONLY = {"probe", "install_missing", "training_device", "torch_before_tensorflow"}


def source_notebook(name: str):
    return read_notebook(SOURCE / name / f"{name}.ipynb")


def headings(cell) -> list[tuple[int, str]]:
    """The (level, text) of every heading in a markdown cell, fenced code blocks left out."""
    found, fenced = [], False
    for line in cell.source.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced and (match := re.match(r"(#{1,6})\s+(.*\S)", line)):
            found.append((len(match.group(1)), match.group(2)))
    return found


def outline(nb) -> list[tuple[int, str]]:
    return [h for cell in nb.cells if cell.cell_type == "markdown" for h in headings(cell)]


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_code_lines_fit_in_100_characters(name):
    """Does every line of every code cell keep to the project's 100 characters?"""
    nb = source_notebook(name)
    long = [
        f"{grade_id(cell) or f'cell {index}'}, line {number}: {len(line)} characters"
        for index, cell in enumerate(nb.cells) if cell.cell_type == "code"
        for number, line in enumerate(cell.source.splitlines(), start=1)
        if len(line) > MAX_LINE
    ]
    assert not long, f"{name}: code lines longer than {MAX_LINE} characters: {long}"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_the_first_code_a_student_reads_is_about_rnns(name):
    """Are the set-up and helper cells before the first section folded, in the release notebook
    too (nbgrader keeps the metadata), so that the first code cell in sight is the lesson's?"""
    for folder in ("source", "release"):
        nb = read_notebook(notebook_path(folder, name, REPO))
        first = next(k for k, cell in enumerate(nb.cells) if cell.cell_type == "markdown"
                     and re.search(r"^## 1\. ", cell.source, re.M))
        before = [cell for cell in nb.cells[:first] if cell.cell_type == "code"]
        assert before, f"{folder}/{name}: no set-up cell before section 1"
        unfolded = [grade_id(cell) for cell in before if not shared_cells.is_folded(cell)]
        assert unfolded == [], (
            f"{folder}/{name}: code cells before section 1 that are not folded: {unfolded}")
        helpers = [grade_id(cell) for cell in nb.cells
                   if cell.cell_type == "code" and shared_cells.BEGIN in cell.source
                   and not cell.source.startswith(shared_cells.TITLE)]
        assert helpers == [], f"{folder}/{name}: cells of shared helpers not folded: {helpers}"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_the_set_up_says_how_checks_work_in_brief_and_the_last_section_says_the_rest(name):
    """Does the set-up section leave probes to the last section and link to it, and does the
    last section explain probes and list every shared helper a student may call?"""
    nb = source_notebook(name)
    set_up, checked = section_text(nb, "Set-up"), section_text(nb, CHECKED)
    assert "probe" not in set_up, f"{name}: the set-up section should leave probes to '{CHECKED}'"
    assert f"]({'#' + CHECKED.replace(' ', '-')})" in set_up, (
        f"{name}: the set-up section should link to '{CHECKED}'")
    assert "`@probe`" in checked and "graded" in checked
    imports = "\n".join(cell.source for cell in nb.cells if shared_cells.BEGIN in cell.source)
    shared = {word.split("/")[0] for line in imports.splitlines()
              if line.startswith(shared_cells.BEGIN + " ") for word in line.split()[1:]}
    unlisted = sorted(n for n in shared - CHECKS_ONLY - {"plain"} if f"`{n}(" not in checked)
    assert unlisted == [], f"{name}: '{CHECKED}' does not list the helpers {unlisted}"
    if re.search(r"^GRADING = ", imports, re.M):
        assert "`GRADING`" in checked, f"{name}: '{CHECKED}' should say what GRADING does"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_lesson_opens_with_its_title_and_ends_with_what_to_remember_and_going_further(name):
    """Is the title first, with "What to remember" and "Going further" as the last two sections?"""
    nb = source_notebook(name)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith(f"# Lesson {name[:2]} · "), (
        f"{name}: the first cell should open with '# Lesson {name[:2]} · <title>'")
    levels = outline(nb)
    assert [text for level, text in levels if level == 1] == [levels[0][1]], (
        f"{name}: the title should be the only level-1 heading")
    sections = [text for level, text in levels if level == 2]
    assert sections[-3:] == ["What to remember", "Going further", CHECKED], (
        f"{name}: the last three sections should be 'What to remember', 'Going further' and "
        f"'{CHECKED}', in that order; they are {sections[-3:]}")


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_sections_are_set_up_then_numbered(name):
    """Do the sections read Set-up, 1., 2., ..., and the tasks Task 1 ·, Task 2 ·, ...?"""
    levels = outline(source_notebook(name))
    sections = [text for level, text in levels if level == 2]
    lesson = sections[1:-3]
    assert sections[:1] == ["Set-up"], f"{name}: the first section should be '## Set-up'"
    numbers = [int(m.group(1)) if (m := re.match(r"(\d+)\. \S", text)) else None
               for text in lesson]
    assert lesson and numbers == list(range(1, len(lesson) + 1)), (
        f"{name}: between Set-up and 'What to remember' the sections should be numbered "
        f"'## 1. ...', '## 2. ...'; they are {lesson}")
    tasks = [text for level, text in levels if level == 3]
    task_numbers = [int(m.group(1)) if (m := re.match(r"Task (\d+) · \S", text)) else None
                    for text in tasks]
    assert tasks and task_numbers == list(range(1, len(tasks) + 1)), (
        f"{name}: level-3 headings should be tasks, '### Task 1 · ...', '### Task 2 · ...'; "
        f"they are {tasks}")
    deeper = [text for level, text in levels if level > 3]
    assert not deeper, f"{name}: no headings below the task level, found {deeper}"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_every_task_comes_with_its_checks(name):
    """Does each answer and test cell sit under a task heading, and each task have both?"""
    nb = source_notebook(name)
    current, tasks = None, {}
    for cell in nb.cells:
        if cell.cell_type == "markdown" and (found := headings(cell)):
            level, text = found[-1]
            current = text if level == 3 and text.startswith("Task ") else None
            if current:
                tasks[current] = {"answer": 0, "test": 0}
        elif is_answer_cell(cell) or is_test_cell(cell):
            assert current, f"{name}: {grade_id(cell)} is not under a '### Task N · ...' heading"
            tasks[current]["test" if is_test_cell(cell) else "answer"] += 1
    lacking = [task for task, cells in tasks.items() if not (cells["answer"] and cells["test"])]
    assert not lacking, f"{name}: tasks without an answer cell or a test cell: {lacking}"
