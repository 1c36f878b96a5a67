"""Write the demo's students (rnncourse.course.demo_class) from the lessons' variants files.

    python -m testing.demo_class tests/variants [ASSIGNMENT ...]

`make release` runs it; tests/test_demo_class.py fails while the snapshot differs from the
variants files.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from rnncourse.course import demo_class
from rnncourse.course.demo_class import CHOSEN, SNAPSHOT, DemoClassError, read
from rnncourse.engine.course_folder import (
    AssignmentError,
    add_course_option,
    require_assignments,
)

from .variants import demo_problem, load_demo, load_variants


def from_variants(variants: Path, assignment: str) -> dict[str, dict]:
    """`{row: {"student", "why", "patches"}}` of one lesson, from its variants file."""
    path = Path(variants) / f"{assignment}.py"
    mutants, alternatives = load_variants(path)
    chosen = load_demo(path)
    problem = demo_problem(path, chosen, CHOSEN)
    if problem:
        raise DemoClassError(problem)
    by_name = {f"mutant_{v.name}": v for v in mutants}
    by_name.update({f"alt_{v.name}": v for v in alternatives})
    rows = {}
    for row in CHOSEN:
        student = chosen[row]
        if student not in by_name:
            raise DemoClassError(f"{path}: DEMO puts {student!r} in {row}, but the file has no "
                                 f"such mutant or alternative (known: {', '.join(by_name)})")
        variant = by_name[student]
        rows[row] = {"student": student, "why": variant.why,
                     "patches": [asdict(patch) for patch in variant.patches]}
    return rows


def write(variants: Path, names: list[str], path: Path = SNAPSHOT) -> None:
    """Save the demo choice of the lessons `names` (the others' stay as they were)."""
    saved = read(path) if path.is_file() else {}
    saved.update({name: from_variants(variants, name) for name in names})
    about = demo_class.__doc__.splitlines()[0]
    text = json.dumps({"about": about, "lessons": dict(sorted(saved.items()))}, indent=1,
                      ensure_ascii=False)
    path.write_text(text + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("variants", type=Path, help="the folder of the variants files")
    parser.add_argument("assignments", nargs="*", help="default: every assignment")
    add_course_option(parser)
    args = parser.parse_args(argv)
    try:
        names = require_assignments(args.assignments, args.course)
        write(args.variants, names)
    except (AssignmentError, DemoClassError, FileNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"{SNAPSHOT}: the demo students of {', '.join(names)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
