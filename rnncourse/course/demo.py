"""Grade a small built-in demo class in a course folder (this repository's), with the grader.

    python -m rnncourse.course.demo [ASSIGNMENT ...]

The class is made of known students: a perfect student, a blank submission, a student whose
every answer raises and a notebook file cut off mid-upload (testing.known_class), and two
students with typical bugs and a correct student who wrote things differently (each lesson's
choice, saved with the package by rnncourse.demo_class, so the demo needs no tests/). They are
handed in to submitted/ and graded by `python -m rnncourse.grade` (the command an instructor
uses on a real class): in parallel, each in its sandbox, with feedback, grades.csv and the
report of every check; then the demo prints a table of the grades and what each demo student
did. Where the grading sandbox cannot be made, it says why and stops before handing anything in.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from nbformat import NotebookNode

from .. import grade
from ..engine.course_folder import (
    AssignmentError,
    Course,
    add_course_option,
    load_config,
    notebook_path,
    require_assignments,
)
from ..engine.notebooks import NotebookError, read_notebook
from ..grading.gradebook import CellScore, read_scores
from ..grading.session import REPORTS, STATE
from . import demo_class
from .demo_class import CHOSEN, DemoClassError
from .submissions import fixed_student, perfect_submission

STUDENTS = ["perfect", "blank", *CHOSEN, "raises_everywhere", "corrupt_upload"]


def students(assignment: str, root: Path) -> tuple[dict[str, NotebookNode | bytes],
                                                          dict[str, str]]:
    """The demo class for one assignment, `{row: notebook or raw bytes}`, and what each student
    the lesson chose did."""
    source = read_notebook(notebook_path("source", assignment, root))
    release = read_notebook(notebook_path("release", assignment, root))
    chosen = demo_class.chosen(assignment)
    perfect = perfect_submission(source, release)
    try:
        made = {row: chosen[row][1].apply(perfect) if row in chosen
                else fixed_student(row, source, release) for row in STUDENTS}
    except ValueError as err:  # a patch that no longer fits the lesson
        raise DemoClassError(f"{err}: the demo class saved in {demo_class.SNAPSHOT} is stale; "
                             "run `make release`") from err
    return made, {row: variant.why for row, (_, variant) in chosen.items()}


def sandbox_problem(root: Path) -> str | None:
    """Why the grading sandbox cannot be made here, or None when it can."""
    from ..engine.sandbox import SandboxUnavailable, require_sandbox

    try:
        require_sandbox(load_config(root))
    except SandboxUnavailable as err:
        return str(err)
    return None


def reset(course: Path) -> None:
    """Remove what an earlier demo left, so that the run starts from a clean class."""
    for folder in ("submitted", "feedback", STATE, REPORTS):
        shutil.rmtree(course / folder, ignore_errors=True)
    for path in (course / "autograded").glob("*/"):
        shutil.rmtree(path, ignore_errors=True)


def run(names: list[str], root: Path, workers: int | None = None) -> int:
    names = require_assignments(names, root)
    problem = sandbox_problem(root)
    if problem:
        print(f"error: the demo grades every submission in the grading sandbox, which cannot be "
              f"made here: {problem}. Nothing was handed in or graded.", file=sys.stderr)
        return 2
    course = Course(root)
    demo = {assignment: students(assignment, root) for assignment in names}
    reset(root)
    for assignment, (submissions, _) in demo.items():
        for student, nb in submissions.items():
            course.submit(assignment, student, nb)

    started = time.perf_counter()
    args = [*names, "--course", str(root)]
    if workers:
        args += ["--workers", str(workers)]
    print(f"$ python -m rnncourse.grade {' '.join(names)}", flush=True)
    status = grade.main(args)
    if status not in (0, 1):
        return status  # nothing could be graded; the grading command said why
    problems = {(s, a) for a in names for s in STUDENTS
                if scores(course, a, [s])[s] is None}
    print("\n" + format_table(course, names, problems) + "\n")
    print("What the demo students did:")
    for assignment, (_, notes) in demo.items():
        for student, why in notes.items():
            print(f"  {assignment} · {student}: {why}")
    print(f"\nDemo graded in {time.perf_counter() - started:.0f} s.")
    example = notebook_path("feedback", names[0], root, "typical_bug_1").with_suffix(".html")
    print(f"Feedback HTML, e.g. {example}")
    # The cut-off upload is meant to be reported; anything else not graded is a failure.
    unexpected = sorted(f"{a} · {s}" for s, a in problems if s != "corrupt_upload")
    if unexpected:
        print(f"error: not graded: {', '.join(unexpected)}", file=sys.stderr)
        return 1
    return 0


def scores(course: Course, assignment: str, students: list[str]
           ) -> dict[str, dict[str, CellScore] | None]:
    """Each of `students`' graded cells in the course's gradebook (None: not graded)."""
    return read_scores(course.db_url, course.course_id, assignment, students)


def format_table(course: Course, names: list[str], problems: set[tuple[str, str]]) -> str:
    """Students by assignments: score/out of, or why a submission was not graded."""
    graded = {a: scores(course, a, STUDENTS) for a in names}
    width = max(len(s) for s in STUDENTS) + 2
    columns = list(zip(names, [max(len(a), 9) + 2 for a in names], strict=True))
    lines = ["student".ljust(width) + "".join(a.ljust(w) for a, w in columns) + "total"]
    for student in STUDENTS:
        row, got, possible = student.ljust(width), 0.0, 0.0
        for assignment, w in columns:
            cells = graded[assignment].get(student)
            if cells is None:
                reason = "not graded" if (student, assignment) in problems else "missing"
                row += reason.ljust(w)
                continue
            score = sum(c.score for c in cells.values())
            out_of = sum(c.max_score for c in cells.values())
            got, possible = got + score, possible + out_of
            row += f"{score:g}/{out_of:g}".ljust(w)
        lines.append(row + (f"{got:g}/{possible:g}" if possible else "-"))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*", help="default: every assignment")
    add_course_option(parser)
    args = parser.parse_args(argv)
    try:
        return run(args.assignments, args.course)
    except (AssignmentError, DemoClassError, NotebookError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
