"""The students each lesson's `DEMO` chooses for `make demo`, kept with the package.

The demo shows, besides the fixed students of every lesson (rnncourse.known_class), two known
bugs and one correct alternative per lesson, which the lesson's variants file names in its
`DEMO` (`tests/variants/<lesson>.py`, rnncourse.variants). So that the demo runs in a course
folder without tests/ (nothing in the package reads tests/), those three students are saved
here, in `demo_class.json`, as the variants file writes them: their patches and what they do.

    python -m rnncourse.demo_class tests/variants [ASSIGNMENT ...]

writes the snapshot again from the variants files (`make release` runs it);
tests/test_demo_class.py fails while it differs from them.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from .course import REPO, AssignmentError, require_assignments
from .variants import Patch, Variant, demo_problem, load_demo, load_variants

SNAPSHOT = Path(__file__).with_name("demo_class.json")
# The demo's rows each variants file fills with known students of its choice (its DEMO).
CHOSEN = ["typical_bug_1", "typical_bug_2", "different_but_right"]


class DemoClassError(Exception):
    """A lesson without a demo choice, in its variants file or in the snapshot."""


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
    text = json.dumps({"about": __doc__.splitlines()[0], "lessons": dict(sorted(saved.items()))},
                      indent=1, ensure_ascii=False)
    path.write_text(text + "\n", encoding="utf-8")


def read(path: Path = SNAPSHOT) -> dict[str, dict[str, dict]]:
    """Every saved lesson's demo choice, `{assignment: {row: {...}}}`."""
    return json.loads(path.read_text(encoding="utf-8"))["lessons"]


def chosen(assignment: str, path: Path = SNAPSHOT) -> dict[str, tuple[str, Variant]]:
    """`{row: (known student, the variant that makes it)}` of one lesson, from the snapshot."""
    lessons = read(path)
    if assignment not in lessons:
        raise DemoClassError(
            f"{path} has no demo students of {assignment}: run `python -m rnncourse.demo_class "
            f"tests/variants {assignment}` (or `make release`) where the course's tests are")
    rows = lessons[assignment]
    return {row: (rows[row]["student"],
                  Variant(rows[row]["student"], tuple(Patch(**p) for p in rows[row]["patches"]),
                          why=rows[row]["why"]))
            for row in CHOSEN}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("variants", type=Path, help="the folder of the variants files")
    parser.add_argument("assignments", nargs="*", help="default: every assignment")
    args = parser.parse_args(argv)
    try:
        names = require_assignments(args.assignments, REPO)
        write(args.variants, names)
    except (AssignmentError, DemoClassError, FileNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"{SNAPSHOT}: the demo students of {', '.join(names)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
