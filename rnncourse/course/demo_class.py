"""The students each lesson's `DEMO` chooses for `make demo`, kept with the package.

The demo shows, besides the fixed students of every lesson (rnncourse.course.submissions),
two known bugs and one correct alternative per lesson, which the lesson's variants file names
in its `DEMO`. So that the demo runs in a course folder without the course's tests, those
three students are saved here, in `demo_class.json`, as the variants file writes them: their
patches and what they do. `make release` writes it again (`python -m testing.demo_class`).
"""

from __future__ import annotations

import json
from pathlib import Path

from .submissions import Patch, Variant

SNAPSHOT = Path(__file__).with_name("demo_class.json")
# The demo's rows each variants file fills with known students of its choice (its DEMO).
CHOSEN = ["typical_bug_1", "typical_bug_2", "different_but_right"]


class DemoClassError(Exception):
    """A lesson without a demo choice, in its variants file or in the snapshot."""


def read(path: Path = SNAPSHOT) -> dict[str, dict[str, dict]]:
    """Every saved lesson's demo choice, `{assignment: {row: {...}}}`."""
    return json.loads(path.read_text(encoding="utf-8"))["lessons"]


def chosen(assignment: str, path: Path = SNAPSHOT) -> dict[str, tuple[str, Variant]]:
    """`{row: (known student, the variant that makes it)}` of one lesson, from the snapshot."""
    lessons = read(path)
    if assignment not in lessons:
        raise DemoClassError(
            f"{path} has no demo students of {assignment}: run `python -m testing.demo_class "
            f"tests/variants {assignment}` (or `make release`) where the course's tests are")
    rows = lessons[assignment]
    return {row: (rows[row]["student"],
                  Variant(rows[row]["student"], tuple(Patch(**p) for p in rows[row]["patches"]),
                          why=rows[row]["why"]))
            for row in CHOSEN}
