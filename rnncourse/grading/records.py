"""Writing a graded submission into the course, and the records that let a rerun resume.

`store` puts one `Outcome` in place: the autograded and feedback folders, the gradebook rows
(one transaction) and, last, the record `.grading/graded/<assignment>/<student>.json` that says
which submission and which cells were graded. Interrupted anywhere, a submission has either its
old results or its new ones, and is graded again next time unless its record was written.
`up_to_date` reads the record back: graded before, from this very submission and these very
cells, with its results still in place.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from .gradebook import shown, write_submission
from .session import Grader
from .submission import AssignmentKit, Outcome, Submission


def record_path(state: Path, assignment: str, student: str) -> Path:
    return state / "graded" / assignment / f"{student}.json"


def read_record(path: Path) -> dict | None:
    """A submission's record; None when there is none or it cannot be read."""
    try:
        record = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return None
    return record if isinstance(record, dict) else None


def up_to_date(root: Path, state: Path, kit: AssignmentKit, sub: Submission,
               in_gradebook: bool) -> bool:
    """Graded before, from this very submission and these very cells, results in place?"""
    a, s = kit.assignment, sub.student
    record = read_record(record_path(state, a, s)) if in_gradebook else None
    if record is None:
        return False
    if record.get("submission") != sub.digest or record.get("cells") != kit.fingerprint:
        return False
    notebooks = [n for n in sub.files if "/" not in n and n.endswith(".ipynb")]
    autograded = root / "autograded" / s / a
    feedback = root / "feedback" / s / a
    return all((autograded / n).is_file() and (feedback / n).with_suffix(".html").is_file()
               for n in notebooks)


def graded_seconds(state: Path, assignment: str) -> list[float]:
    """How long each submission of `assignment` graded before took, from the records."""
    found = []
    for path in sorted((state / "graded" / assignment).glob("*.json")):
        record = read_record(path)
        try:
            found.append(float(record["seconds"]))
        except (TypeError, KeyError, ValueError):
            continue
    return found


def store(grader: Grader, outcome: Outcome, cells: str) -> None:
    """Write one graded submission into the course: files, gradebook rows, record.

    `cells` is the fingerprint of the assignment's cells it was graded with (the kit's).
    The gradebook rows are one transaction; the folders are put in place by renaming; the
    record that marks the submission done is written last.
    """
    a, s = outcome.assignment, outcome.student
    incoming = grader.state / "incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=f"{a}-{s}-", dir=incoming))
    try:
        write_files(staged / "autograded", outcome.autograded, 0o444)
        write_files(staged / "feedback", outcome.feedback, 0o644)
        write_submission(grader.gb, outcome.rows, grader.penalties)
        replace_folder(grader.root / "feedback" / s / a, staged / "feedback")
        replace_folder(grader.root / "autograded" / s / a, staged / "autograded")
        record = record_path(grader.state, a, s)
        record.parent.mkdir(parents=True, exist_ok=True)
        tmp = record.with_suffix(".tmp")
        tmp.write_text(json.dumps({
            "submission": outcome.digest, "cells": cells,
            "graded_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "seconds": round(outcome.seconds, 1), "worker": outcome.worker,
            "gradebook": shown(grader.db)}, indent=1))
        os.replace(tmp, record)
    finally:
        shutil.rmtree(staged, ignore_errors=True)


def write_files(folder: Path, files: dict[str, bytes], mode: int) -> None:
    """Write `files` (path inside `folder` -> bytes) with permissions `mode`; a path that
    leads outside `folder` is refused."""
    for name, data in files.items():
        if ".." in Path(name).parts or Path(name).is_absolute():
            raise ValueError(f"refusing to write {name!r} outside {folder}")
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        os.chmod(path, mode)


def replace_folder(target: Path, new: Path) -> None:
    """Put the folder `new` at `target`, replacing what was there."""
    target.parent.mkdir(parents=True, exist_ok=True)
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(target, old)
    if new.exists():
        os.replace(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
