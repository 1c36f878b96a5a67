"""What every LMS export shares: who is credited with which grade (`Credit`), what an export
wrote (`Exported`), how a grade and a name go into a CSV, and which roster an export uses.
The exports themselves: rnncourse.grading.lms.export and the writers it calls."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..session import Grader
from .manifest import saved_roster_path
from .names import LMS_NAMES
from .roster import Roster

EXPORTS = {"canvas": "canvas", "moodle": "moodle", "moodle-gradebook": "moodle"}  # -> its LMS


@dataclass
class Credit:
    """One person's grade in one assignment, from the submission of `student` (theirs, or
    their group's)."""

    assignment: str
    student: str
    person: dict      # the LMS's entry of the person credited
    score: float


@dataclass
class Exported:
    lms: str                        # canvas, moodle or moodle-gradebook
    csv: Path                       # FILE
    written: list[str] = field(default_factory=list)           # one line per file written
    rows: int = 0                                               # people given a grade
    maxima: dict[str, float] = field(default_factory=dict)     # assignment -> points
    feedback: dict[str, Path] = field(default_factory=dict)   # assignment -> zip
    notes: list[str] = field(default_factory=list)             # what the instructor must know
    unexported: list[str] = field(default_factory=list)        # one line each, with the reason

    @property
    def platform(self) -> str:
        return EXPORTS[self.lms]

    def lines(self) -> list[str]:
        name = LMS_NAMES[self.platform]
        lines = list(self.written)
        lines += [f"{name} feedback upload of {a}: {path}" for a, path in self.feedback.items()]
        return lines + self.notes + [f"  {line}" for line in self.unexported]


def points(value: float) -> str:
    return f"{round(value, 2):g}"


def text(value: str | None) -> str:
    """A name as a CSV cell a spreadsheet shows as text, never runs as a formula."""
    value = value or ""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def roster_for(grader: Grader, assignment: str, given: Roster | None, lms: str
               ) -> tuple[Path | None, str]:
    """The roster to export `assignment` with: the one given to the export, else the copy its
    import kept; and which it is, for the messages."""
    if given is not None and given.lms == lms:
        return given.path, f"the roster {given.path.name}"
    saved = saved_roster_path(grader, assignment)
    if saved.is_file():
        return saved, f"the roster its import was given ({saved.name})"
    return None, "no roster"
