"""A course folder held for grading: its settings, the lock and the open gradebook, for one block.

    with Grader.open(root, db) as grader:
        ...                       # plan, grade, store, report: all take `grader`

Entering the block reads the course's settings, takes the lock `.grading/lock` (one grading
command per course folder at a time), clears what an interrupted run had staged but not put in
place, and opens the gradebook; leaving it closes the gradebook and releases the lock, however
the block ends. A `Grader` is read-only: everything a step needs is given to it or returned by
it, never left on the grader by another step.
"""

from __future__ import annotations

import fcntl
import shutil
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..engine.course_folder import course_id, db_url, load_config
from .gradebook import GradebookError, late_penalties, open_gradebook
from .problems import Stop
from .submission import IGNORED

STATE = ".grading"      # what was graded (one record per submission), worker logs, the lock
REPORTS = "reports"     # one table and one PNG per assignment


@dataclass(frozen=True)
class Grader:
    """The only writer of one course folder's gradebook and graded folders, while it is open."""

    root: Path
    config: Any                 # the course's nbgrader configuration (traitlets Config)
    course_id: str
    db: str                     # the gradebook's URL
    gb: Any                     # nbgrader.api.Gradebook, open
    ignore: tuple[str, ...]     # CourseDirectory.ignore: files never carried to a task
    penalties: Any              # the AssignLatePenalties step, or None

    @property
    def state(self) -> Path:
        return self.root / STATE

    @classmethod
    @contextmanager
    def open(cls, root: Path, db: str | None = None) -> Iterator[Grader]:
        """Hold the course folder `root` for the block (`db`: the gradebook URL to use instead
        of the course's); `Stop` when it cannot be held."""
        root = Path(root).resolve()
        config = course_config(root)
        try:
            cid = course_id(root)
        except ValueError as err:
            raise Stop(str(err)) from err
        url = db or db_url(root, config)
        ignore = tuple(config.CourseDirectory.ignore) if (
            "ignore" in config.CourseDirectory) else IGNORED
        with ExitStack() as held:
            held.enter_context(_locked(root / STATE))
            # Results an interrupted run had staged but not put in place: graded again.
            shutil.rmtree(root / STATE / "incoming", ignore_errors=True)
            try:
                gb = held.enter_context(open_gradebook(url, cid))
            except GradebookError as err:
                raise Stop(str(err)) from err
            yield cls(root, config, cid, url, gb, ignore, late_penalties(config))


def course_config(root: Path):
    """The nbgrader configuration of the course folder `root`; `Stop` when it is none."""
    try:
        return load_config(Path(root))
    except FileNotFoundError as err:
        raise Stop(str(err)) from err


@contextmanager
def _locked(state: Path) -> Iterator[None]:
    """The course's grading lock, held for the block; `Stop` when another command holds it."""
    state.mkdir(exist_ok=True)
    with open(state / "lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Stop(f"another grading command is running in {state.parent} (it holds "
                       f"{state / 'lock'}); wait for it to finish") from None
        yield
