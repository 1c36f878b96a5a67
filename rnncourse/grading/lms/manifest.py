"""What the LMS said of each imported student, kept next to the gradebook for the export.

`.grading/lms/<assignment>.json` holds, per nbgrader student id, the LMS's entry: its ids, the
name, the late flag and time, the file name its feedback upload matches, and for a group's
file the group and its members (rnncourse.grading.lms.groups). Beside it
`.grading/lms/<assignment>-roster.csv` is the roster the import was given, byte for byte: the
export reads Canvas's column titles and points from it, and fills in Moodle's grading
worksheet, unless it is given a newer one. The gradebook gets nbgrader's Student rows (names,
email, the Canvas user id as `lms_user_id`; a group's name as its last name).
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

from ..gradebook import one_transaction
from ..session import Grader
from .roster import Roster


def manifest_path(grader: Grader, assignment: str) -> Path:
    return grader.state / "lms" / f"{assignment}.json"


def saved_roster_path(grader: Grader, assignment: str) -> Path:
    return grader.state / "lms" / f"{assignment}-roster.csv"


def read_manifest(grader: Grader, assignment: str) -> dict:
    try:
        found = json.loads(manifest_path(grader, assignment).read_text())
    except (OSError, json.JSONDecodeError):
        return {"students": {}}
    return found if isinstance(found, dict) and "students" in found else {"students": {}}


def remember(grader: Grader, assignment: str, lms: str, source: Path,
             placed: dict[str, dict], roster: Roster | None) -> None:
    """The manifest (merged with an earlier import's), the roster's copy and the gradebook's
    Student rows."""
    manifest = read_manifest(grader, assignment)
    manifest.update(lms=lms, source=str(source),
                    imported_at=datetime.now(UTC).isoformat(timespec="seconds"))
    manifest["students"].update(placed)
    path = manifest_path(grader, assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    saved = saved_roster_path(grader, assignment)
    if roster is not None and roster.path.resolve() != saved.resolve():
        shutil.copyfile(roster.path, saved)
        manifest["roster"] = str(roster.path)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True))
    os.replace(tmp, path)
    with one_transaction(grader.gb):
        for student, entry in placed.items():
            known = {key: entry.get(key) for key in ("first_name", "last_name", "email")}
            if entry.get("group"):
                known = {"last_name": entry["group"]["name"]}
            elif lms == "canvas":
                known["lms_user_id"] = entry["lms_id"]
            grader.gb.update_or_create_student(
                student, **{key: value for key, value in known.items() if value})
