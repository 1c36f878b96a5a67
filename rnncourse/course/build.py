"""Regenerate the committed student and solution notebooks from source/.

    python -m rnncourse.course.build release [ASSIGNMENT ...]
    python -m rnncourse.course.build solutions [ASSIGNMENT ...]

The repository root is itself the nbgrader course folder, so this runs nbgrader's own
`generate_assignment` and `generate_solution` there.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from ..engine.course_folder import (
    AssignmentError,
    add_course_option,
    notebook_path,
    require_assignments,
)
from ..engine.nbgrader_run import check_nbgrader
from ..engine.notebooks import clean, merge_streams, read_notebook, write_notebook

# Seconds each cell of a solutions build may run: the solutions run the lessons in full (lesson
# 06 trains its models on real text), far past the per-cell limit nbgrader_config.py sets for
# grading students (Execute.timeout).
SOLUTION_CELL_SECONDS = 3600

# The committed solutions are CPU runs, whatever the machine: their prose quotes CPU figures,
# and the lessons train on a GPU whenever PyTorch or TensorFlow sees one.
CPU_ONLY = {"CUDA_VISIBLE_DEVICES": ""}

# nbgrader refuses to change an assignment's cells once the gradebook holds submissions of it.
GRADED_ALREADY = "because there are submissions associated with it"

# what: (nbgrader command, output folder, how the written notebook is tidied before commit).
# Student versions are committed clean (no outputs, no execution counts); solutions keep their
# outputs, with each run of printed text in one output so that a rebuild changes nothing.
STEPS = {
    "release": ("generate_assignment", "release", clean),
    "solutions": ("generate_solution", "solutions", merge_streams),
}


def build(what: str, names: list[str], root: Path) -> None:
    command, folder, tidy = STEPS[what]
    for name in require_assignments(names, root):
        started = time.perf_counter()
        print(f"{folder}/{name}: nbgrader {command} ...", flush=True)
        extra = []
        if what == "solutions":
            # generate_solution needs the assignment in the gradebook, which otherwise only
            # generate_assignment creates: `make solutions` must also work on a fresh clone.
            check_nbgrader(root, "db", "assignment", "add", name)
            extra.append(f"--Execute.timeout={SOLUTION_CELL_SECONDS}")
        try:
            check_nbgrader(root, command, name, "--force", *extra)
        except RuntimeError as err:
            if GRADED_ALREADY not in str(err):
                raise
            raise RuntimeError(
                f"{root / 'gradebook.db'} holds graded submissions of {name}, and nbgrader "
                "does not change the cells of an assignment that has been graded. If they are "
                "the demo's, `make clean-demo` removes them; if a class was graded here, change "
                "the lesson once its grades are final and that gradebook is archived. "
                f"`git checkout {folder}/{name}` puts back the notebook nbgrader removed."
            ) from None
        path = notebook_path(folder, name, root)
        notebook = tidy(read_notebook(path))
        write_notebook(notebook, path)
        if what == "solutions":
            failed = first_error(notebook)
            if failed:
                raise RuntimeError(f"{path}: {failed}; fix the lesson in source/{name} and "
                                   "build its solution again")
        print(f"{folder}/{name}: done in {time.perf_counter() - started:.0f} s", flush=True)


def first_error(notebook) -> str | None:
    """Where a solved notebook's run failed, in words (nbgrader records a failing cell's error
    as its output and goes on), or None when no cell failed."""
    number = 0
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        number += 1
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                return (f"code cell {number} ({cell.get('id', 'no id')}) raised "
                        f"{output.ename}: {output.evalue}")
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=sorted(STEPS))
    parser.add_argument("assignments", nargs="*", help="default: every assignment")
    add_course_option(parser)
    args = parser.parse_args(argv)
    if args.what == "solutions":
        os.environ.update(CPU_ONLY)  # for the nbgrader commands that this command runs
    try:
        build(args.what, args.assignments, args.course)
    except AssignmentError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except RuntimeError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
