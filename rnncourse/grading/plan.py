"""What to grade: every submission of an assignment checked, the ones already graded skipped,
and the tasks in the order that keeps the workers busy to the end.

A folder nbgrader cannot grade as it is (no notebook, a notebook under another name, an
unreadable file, cells that lost their nbgrader metadata) becomes a `Problem` naming the file
and the reason, and the rest of the class goes on.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..engine.course_folder import assignments
from ..engine.notebooks import NotebookError, grade_id, read_notebook
from .kits import assignment_kit
from .problems import Problem
from .records import graded_seconds, up_to_date
from .session import Grader
from .submission import AssignmentKit, Submission, read_folder


@dataclass
class Plan:
    """One assignment: its kit, the submissions to grade, the ones skipped, the bad ones."""

    assignment: str
    kit: AssignmentKit | None = None
    todo: list[Submission] = field(default_factory=list)
    up_to_date: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{self.assignment}: {len(self.todo)} to grade, {len(self.up_to_date)} "
                f"already graded and unchanged, {len(self.problems)} not gradable")


def plan_assignment(grader: Grader, assignment: str, force: bool = False,
                    say: Callable[[str], None] = print) -> Plan:
    """The plan for one assignment (`force`: grade every submission again)."""
    plan = Plan(assignment)
    notebook = grader.root / "source" / assignment / f"{assignment}.ipynb"
    if not notebook.is_file():
        known = ", ".join(assignments(grader.root)) or "none"
        plan.problems.append(Problem(assignment, "", notebook,
                                     f"no such assignment in this course (known: {known})"))
        return plan
    plan.kit, expected = assignment_kit(grader, assignment, say)
    graded = graded_in_gradebook(grader.gb, assignment)
    for folder in submission_folders(grader.root, assignment):
        student = folder.parent.name
        files = read_folder(folder, grader.ignore)
        problem = check_submission(folder, files, expected)
        if problem:
            plan.problems.append(Problem(assignment, student, *problem))
            continue
        sub = Submission(student, files)
        if not force and up_to_date(grader.root, grader.state, plan.kit, sub, student in graded):
            plan.up_to_date.append(student)
        else:
            plan.todo.append(sub)
    return plan


def submission_folders(root: Path, assignment: str) -> list[Path]:
    """submitted/<student>/<assignment>/ of every student who handed the assignment in."""
    submitted = root / "submitted"
    if not submitted.is_dir():
        return []
    return sorted(d / assignment for d in submitted.iterdir() if (d / assignment).is_dir())


def check_submission(folder: Path, files: dict[str, bytes],
                     expected: dict[str, set[str]]) -> tuple[Path, str] | None:
    """(file, reason) when nbgrader cannot grade this folder as it is; None when it can.

    `files` are the folder's files (path inside it -> bytes), `expected` the grade ids each
    notebook of the assignment must hold, by notebook name.
    """
    found = sorted(n for n in files if "/" not in n and n.endswith(".ipynb"))
    wanted = [f"{name}.ipynb" for name in sorted(expected)]
    if not found:
        others = f" (it holds {', '.join(sorted(files)[:5])})" if files else " (it is empty)"
        return folder, (f"no notebook in the student's folder{others}; expected "
                        f"{', '.join(wanted)}")
    present = [n for n in wanted if n in found]
    if not present:
        return folder / found[0], (
            f"a notebook under the wrong name: nbgrader grades only {', '.join(wanted)}; "
            f"found {', '.join(found)}. Rename it and grade again")
    for name in present:
        path = folder / name
        try:
            nb = read_notebook(path)
        except NotebookError as err:
            return path, err.problem
        missing = sorted(expected[name[:-len(".ipynb")]] - {grade_id(c) for c in nb.cells})
        if missing:
            return path, (
                f"its cells lost their nbgrader metadata: no cell carries the grade id(s) "
                f"{', '.join(missing)} (the answers were probably pasted into another "
                "notebook); have the answers copied into the released notebook, or grade "
                "it by hand")
    return None


def graded_in_gradebook(gb, assignment: str) -> set[str]:
    """Students whose submission has every grade's auto score in the gradebook."""
    from nbgrader.api import MissingEntry

    try:
        subs = gb.assignment_submissions(assignment)
    except MissingEntry:
        return set()
    return {sub.student.id for sub in subs
            if all(g.auto_score is not None for nb in sub.notebooks for g in nb.grades)}


def expected_cost(root: Path, state: Path, names: list[str]) -> dict[str, float]:
    """How long a submission of each assignment takes, relatively: the median seconds of
    the submissions graded before when every assignment has some, else the length of the
    code in the source notebook (which holds the checks to run)."""
    seconds = {name: statistics.median(found) for name in names
               if (found := graded_seconds(state, name))}
    if len(seconds) == len(names):
        return seconds
    sizes = {}
    for name in names:
        nb = read_notebook(root / "source" / name / f"{name}.ipynb")
        sizes[name] = float(sum(len(c.source) for c in nb.cells if c.cell_type == "code"))
    return sizes


def ordered_tasks(plans: list[Plan], cost: dict[str, float]
                  ) -> list[tuple[AssignmentKit, Submission]]:
    """Every submission to grade with its kit, the costliest assignments first, so that no
    worker is left with a long one at the end."""
    tasks = [(p.kit, sub) for p in plans for sub in p.todo]
    return sorted(tasks, key=lambda task: -cost[task[0].assignment])
