"""How grading says what went wrong: `Stop` for a run that cannot start, `Problem` for one
submission that cannot be graded while the others go on."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class Stop(Exception):
    """Nothing can be graded (no sandbox, database or scheduler): the message says what to do."""


@dataclass(frozen=True)
class Problem:
    """A submission (or an assignment) that cannot be graded: the file and the reason."""

    assignment: str
    student: str
    path: Path
    reason: str

    def line(self) -> str:
        who = f"{self.assignment} · {self.student}" if self.student else self.assignment
        return f"NOT GRADED {who}: {self.path}: {self.reason}"
