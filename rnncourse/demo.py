"""Grade a small built-in demo class in the repository's own course folder, with the grader.

    python -m rnncourse.demo [ASSIGNMENT ...]

The class is made of known students (rnncourse.known_class): a perfect student, a blank
submission, two students with typical bugs and a correct student who wrote things differently
(each lesson's variants file names them in its DEMO), a student whose every answer raises,
and a notebook file cut off mid-upload. They are handed in to submitted/ and graded by
`python -m rnncourse.grade` (the command an instructor uses on a real class): in parallel,
each in its sandbox, with feedback, grades.csv and the report of every check; then the demo
prints a table of the grades and what each demo student did.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from nbformat import NotebookNode

from . import grade, known_class
from .course import REPO, AssignmentError, Course, notebook_path, require_assignments
from .grade import REPORTS, STATE
from .known_class import KnownClassError
from .notebooks import read_notebook

# The rows each lesson's variants file fills with known students of its choice (its DEMO).
CHOSEN = ["typical_bug_1", "typical_bug_2", "different_but_right"]
STUDENTS = ["perfect", "blank", *CHOSEN, "raises_everywhere", "corrupt_upload"]


def demo_class(assignment: str, root: Path = REPO) -> tuple[dict[str, NotebookNode | bytes], dict]:
    """The demo class for one assignment, and what each student chosen by the lesson did."""
    known = known_class.load(assignment, root)
    chosen = known.demo(CHOSEN)
    names = {row: chosen.get(row, row) for row in STUDENTS}
    release = read_notebook(notebook_path("release", assignment, root))
    made = known.students(release, names.values())
    submissions = {row: made[name] for row, name in names.items()}
    return submissions, {row: known.why[name] for row, name in chosen.items()}


def reset(course: Path) -> None:
    """Remove what an earlier demo left, so that the run starts from a clean class."""
    for folder in ("submitted", "feedback", STATE, REPORTS):
        shutil.rmtree(course / folder, ignore_errors=True)
    for path in (course / "autograded").glob("*/"):
        shutil.rmtree(path, ignore_errors=True)


def run(names: list[str], root: Path = REPO, workers: int | None = None) -> int:
    names = require_assignments(names, root)
    course = Course(root)
    demo = {assignment: demo_class(assignment, root) for assignment in names}
    reset(root)
    classes = {}
    for assignment, (submissions, notes) in demo.items():
        for student, nb in submissions.items():
            course.submit(assignment, student, nb)
        classes[assignment] = notes

    started = time.perf_counter()
    args = [*names, "--course", str(root)]
    if workers:
        args += ["--workers", str(workers)]
    print(f"$ python -m rnncourse.grade {' '.join(names)}", flush=True)
    status = grade.main(args)
    problems = {(s, a) for a in names for s in STUDENTS
                if course.scores(a, [s])[s] is None}
    print("\n" + format_table(course, names, problems) + "\n")
    print("What the demo students did:")
    for assignment, notes in classes.items():
        for student, why in notes.items():
            print(f"  {assignment} · {student}: {why}")
    print(f"\nDemo graded in {time.perf_counter() - started:.0f} s.")
    example = notebook_path("feedback", names[0], root, "typical_bug_1").with_suffix(".html")
    print(f"Feedback HTML, e.g. {example}")
    # The cut-off upload is meant to be reported; anything else not graded is a failure.
    unexpected = {p for p in problems if p[0] != "corrupt_upload"}
    if unexpected or status not in (0, 1):
        print(f"error: not graded: {sorted(unexpected)}", file=sys.stderr)
        return 1
    return 0


def format_table(course: Course, names: list[str], problems: set[tuple[str, str]]) -> str:
    """Students by assignments: score/out of, or why a submission was not graded."""
    scores = {a: course.scores(a) for a in names}
    width = max(len(s) for s in STUDENTS) + 2
    columns = list(zip(names, [max(len(a), 9) + 2 for a in names], strict=True))
    lines = ["student".ljust(width) + "".join(a.ljust(w) for a, w in columns) + "total"]
    for student in STUDENTS:
        row, got, possible = student.ljust(width), 0.0, 0.0
        for assignment, w in columns:
            cells = scores[assignment].get(student)
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
    args = parser.parse_args(argv)
    try:
        return run(args.assignments)
    except (AssignmentError, KnownClassError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
