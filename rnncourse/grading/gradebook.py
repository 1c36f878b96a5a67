"""The course gradebook (nbgrader's database, SQLite or PostgreSQL): reading and writing it.

Only nbgrader's own API (`nbgrader.api.Gradebook`) touches the database, so the formgrader and
`nbgrader export` see what this module writes exactly as they see what `nbgrader autograde`
writes. One submission's rows are written in one transaction: an interrupted run leaves either
all of them or none.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..engine.nbgrader_run import environment_on_path


class GradebookError(Exception):
    """A gradebook that cannot be opened, with the reason and how to fix it."""


@dataclass(frozen=True)
class CellScore:
    score: float
    max_score: float

    @property
    def passed(self) -> bool:
        return self.score >= self.max_score


@dataclass
class NotebookRows:
    """What autograding one notebook of a submission records."""

    submitted: bool
    grades: dict[str, float | None] = field(default_factory=dict)  # grade id -> auto score
    comments: dict[str, str | None] = field(default_factory=dict)  # cell -> auto comment


@dataclass
class SubmissionRows:
    """What autograding one student's submission of one assignment records."""

    assignment: str
    student: str
    timestamp: str | None
    notebooks: dict[str, NotebookRows]


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{Path(path).resolve()}"


def shown(url: str) -> str:
    """A database URL as it may be printed: without its password."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # a malformed URL is shown as given; it holds no usable password
        return url


@contextmanager
def open_gradebook(url: str, course_id: str) -> Iterator:
    """nbgrader's Gradebook at `url` (created when new); GradebookError when unreachable."""
    import sqlalchemy.exc
    from nbgrader.api import Gradebook

    try:
        with environment_on_path():  # a new gradebook runs nbgrader's `alembic`
            gb = Gradebook(url, course_id=course_id)
    except ModuleNotFoundError as err:
        raise GradebookError(
            f"cannot open the gradebook {shown(url)}: the database driver {err.name!r} is not "
            "installed; install the course's requirements (`pip install -r requirements.txt`, "
            "which pins psycopg, the PostgreSQL driver)") from err
    except sqlalchemy.exc.ArgumentError as err:
        raise GradebookError(
            f"not a database URL: {shown(url)} ({err}); use sqlite:////path/to/gradebook.db "
            "or postgresql://USER:PASSWORD@HOST:5432/DATABASE") from err
    except sqlalchemy.exc.OperationalError as err:
        raise GradebookError(
            f"cannot open the gradebook {shown(url)}: {str(err.orig).strip()}. Check that the "
            "database server is running and that the URL names an existing database and a "
            "role that may use it (docs/instructors.md, \"Grading on a cluster\")") from err
    try:
        yield gb
    finally:
        gb.close()


@contextmanager
def one_transaction(gb) -> Iterator[None]:
    """Run nbgrader API calls as one database transaction: all of their changes, or none.

    The API commits after every call; within this block a commit only sends the changes to
    the database (a flush), and the block commits once at its end.
    """
    session = gb.db
    commit = session.commit
    session.commit = session.flush
    try:
        yield
    except BaseException:
        del session.commit
        session.rollback()
        raise
    del session.commit
    commit()


def read_scores(
    url: str, course_id: str, assignment: str, students: Iterable[str] | None = None
) -> dict[str, dict[str, CellScore] | None]:
    """`scores` of the gradebook at `url`."""
    with open_gradebook(url, course_id) as gb:
        return scores(gb, assignment, students)


def scores(gb, assignment: str, students: Iterable[str] | None = None
           ) -> dict[str, dict[str, CellScore] | None]:
    """Per student, the score of every graded cell; None for a submission with no grades.

    `students=None`: every student with a submission of `assignment` in the gradebook.
    """
    from nbgrader.api import MissingEntry

    if students is None:
        try:
            students = sorted(s.student.id for s in gb.assignment_submissions(assignment))
        except MissingEntry:
            students = []
    result: dict[str, dict[str, CellScore] | None] = {}
    for student in students:
        try:
            sub = gb.find_submission(assignment, student)
        except MissingEntry:
            result[student] = None
            continue
        cells = {g.name: CellScore(g.score, g.max_score)
                 for nb in sub.notebooks for g in nb.grades}
        result[student] = cells or None
    return result


def has_assignment(gb, assignment: str) -> bool:
    """Does the gradebook hold the assignment and its notebooks (as generate_assignment does)?"""
    from nbgrader.api import MissingEntry

    try:
        return bool(gb.find_assignment(assignment).notebooks)
    except MissingEntry:
        return False


def copy_assignment(source, target, assignment: str) -> None:
    """Copy one assignment's rows (notebooks, grade, solution, task and source cells)."""
    found = source.find_assignment(assignment)
    with one_transaction(target):
        extra = {"duedate": found.duedate} if found.duedate is not None else {}
        target.update_or_create_assignment(assignment, **extra)
        for nb in found.notebooks:
            target.update_or_create_notebook(nb.name, assignment, kernelspec=nb.kernelspec)
            for cell in nb.grade_cells:
                target.update_or_create_grade_cell(cell.name, nb.name, assignment,
                                                   max_score=cell.max_score,
                                                   cell_type=cell.cell_type)
            for cell in nb.solution_cells:
                target.update_or_create_solution_cell(cell.name, nb.name, assignment)
            for cell in nb.task_cells:
                target.update_or_create_task_cell(cell.name, nb.name, assignment,
                                                  max_score=cell.max_score,
                                                  cell_type=cell.cell_type)
            for cell in nb.source_cells:
                target.update_or_create_source_cell(cell.name, nb.name, assignment,
                                                    cell_type=cell.cell_type, locked=cell.locked,
                                                    source=cell.source, checksum=cell.checksum)


def fingerprint(gb, assignment: str) -> str:
    """A digest of the assignment's cells as the gradebook holds them (what grading uses)."""
    found = gb.find_assignment(assignment)
    rows = []
    for nb in sorted(found.notebooks, key=lambda n: n.name):
        rows.append(["notebook", nb.name, nb.kernelspec])
        rows += sorted(["grade", c.name, c.max_score, c.cell_type] for c in nb.grade_cells)
        rows += sorted(["solution", c.name] for c in nb.solution_cells)
        rows += sorted(["task", c.name, c.max_score, c.cell_type] for c in nb.task_cells)
        rows += sorted(["source", c.name, c.cell_type, c.locked, c.source, c.checksum]
                       for c in nb.source_cells)
    return hashlib.sha256(json.dumps(rows, default=str).encode()).hexdigest()


def submission_rows(gb, assignment: str, student: str, submitted: Iterable[str]) -> SubmissionRows:
    """What `nbgrader autograde` recorded for one submission (read from a scratch gradebook)."""
    sub = gb.find_submission(assignment, student)
    submitted = set(submitted)
    notebooks = {}
    for nb in sub.notebooks:
        notebooks[nb.name] = NotebookRows(
            submitted=nb.name in submitted,
            grades={g.name: g.auto_score for g in nb.grades},
            comments={c.name: c.auto_comment for c in nb.comments},
        )
    stamp = sub.timestamp.isoformat() if sub.timestamp is not None else None
    return SubmissionRows(assignment, student, stamp, notebooks)


def late_penalties(config):
    """The course's AssignLatePenalties step (with its plugin), or None when not configured."""
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import AssignLatePenalties

    steps = Autograde(config=config).autograde_preprocessors
    names = [s if isinstance(s, str) else f"{s.__module__}.{s.__qualname__}" for s in steps]
    if not any(n.rsplit(".", 1)[-1] == "AssignLatePenalties" for n in names):
        return None
    step = AssignLatePenalties(config=config)
    step.init_plugin()
    return step


def write_submission(gb, rows: SubmissionRows, penalties=None) -> None:
    """Record one graded submission in the course gradebook as nbgrader's autograde does.

    Student and submission (with the submission's timestamp, so late penalties apply), every
    grade's auto score and whether it needs manual grading (a manual score given earlier is
    kept and flagged for review, as SaveAutoGrades does), every auto comment, and the late
    penalty of each submitted notebook (AssignLatePenalties), in one transaction.
    """
    import sqlalchemy.exc

    with warnings.catch_warnings():
        # nbgrader's add_submission makes SQLAlchemy warn about autoflush; nothing to act on.
        warnings.simplefilter("ignore", sqlalchemy.exc.SAWarning)
        _write_submission(gb, rows, penalties)


def _write_submission(gb, rows: SubmissionRows, penalties) -> None:
    a, s = rows.assignment, rows.student
    with one_transaction(gb):
        gb.update_or_create_student(s)
        extra = {"timestamp": rows.timestamp} if rows.timestamp else {}
        sub = gb.update_or_create_submission(a, s, **extra)
        for name, nb_rows in rows.notebooks.items():
            for gid, auto in nb_rows.grades.items():
                grade = gb.find_grade(gid, name, a, s)
                grade.auto_score = auto
                grade.needs_manual_grade = nb_rows.submitted and (
                    grade.manual_score is not None or auto is None)
            for cell, text in nb_rows.comments.items():
                gb.find_comment(cell, name, a, s).auto_comment = text
        gb.db.flush()
        if penalties is None:
            return
        for name, nb_rows in rows.notebooks.items():
            if not nb_rows.submitted:
                continue
            nb = gb.find_submission_notebook(name, a, s)
            gb.db.expire(nb)
            gb.db.expire(sub)
            nb.late_submission_penalty = None
            if sub.total_seconds_late > 0:
                penalty = penalties.plugin_inst.late_submission_penalty(
                    s, nb.score, sub.total_seconds_late)
                if penalty is not None:
                    nb.late_submission_penalty = penalties._check_late_penalty(nb, penalty)
