"""Moodle's grading worksheet, filled in (`--export moodle FILE`).

The worksheet is what the assignment gives (*View all submissions*, *Download grading
worksheet*) and takes back (*Upload grading worksheet*). Its importer,
`assignfeedback_offline_grade_importer` (mod/assign/feedback/offline/importgradeslib.php), and
`process_import_grades` (mod/assign/feedback/offline/locallib.php) are the specification:

* the columns it needs are `Identifier`, `Grade` and `Last modified (grade)` (the strings
  `recordid`, `gradenoun`, `lastmodifiedgrade`), matched exactly; without one it refuses the
  file. A feedback column is one titled as a feedback plugin's field: `Feedback comments`.
* a row's participant is what follows `Participant ` in `Identifier` (`hiddenuser`);
* it skips a row whose grade is empty, negative or above the assignment's maximum grade,
  whose grade cannot be changed (locked or overridden in the gradebook: `Grade can be changed`
  says No), or whose grade was changed in Moodle after the worksheet's `Last modified (grade)`
  (unless the upload allows updating records modified more recently in Moodle);
* it reads the encoding and the separator the upload form is told.

The worksheet's columns (mod/assign/gradingtable.php): `Identifier`, `Full name`, the identity
fields the site shows (`Email address`, ...), `Status`, `Group` (team submissions), `Grade`,
`Maximum Grade` (`Scale` with a scale), `Grade can be changed`, `Last modified
(submission)`, `Last modified (grade)`, one column per feedback field (`Feedback comments`).

This module writes the grade (scaled to the row's `Maximum Grade` when that is not the
notebook's points) and a short comment (each check's points; the feedback file's name) into
each row whose participant was graded, and leaves every other cell and row as Moodle wrote
them, in the worksheet's own encoding, separator and line ending.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..gradebook import scores
from ..problems import Stop
from ..session import Grader
from .credits import Credit, Exported, points, roster_for
from .groups import MOODLE_ANONYMOUS, loose_name
from .roster import read_csv_file

IDENTIFIER, GRADE, MODIFIED = "Identifier", "Grade", "Last modified (grade)"
COMMENTS, NAME, CHANGEABLE = "Feedback comments", "Full name", "Grade can be changed"
MAXIMUM = ("Maximum Grade", "Maximum grade")  # Moodle's string, and older sites'
SCALE = "Scale"
HOW_TO_GET = ("download it in the assignment: View all submissions, Grading action, Download "
              "grading worksheet (with Moodle's language set to English: the importer matches "
              "the column titles in the language of whoever uploads)")


def fill(grader: Grader, done: Exported, assignment: str, credits: list[Credit], given,
         target: Path) -> None:
    """Write the assignment's worksheet, filled in with `credits`, to `target`."""
    path, which = roster_for(grader, assignment, given, "moodle")
    if path is None:
        raise Stop(f"the Moodle export fills in the grading worksheet of {assignment}, and "
                   f"there is none: the import was given no worksheet (--roster) and neither "
                   f"was the export; {HOW_TO_GET}, and give it with --roster")
    sheet = read_csv_file(path, "grading worksheet")
    header = [cell.strip() for cell in sheet.rows[0]] if sheet.rows else []
    col = {title: i for i, title in enumerate(header)}
    missing = [c for c in (IDENTIFIER, GRADE, MODIFIED) if c not in col]
    if missing:
        raise Stop(f"{path} ({which}) is not the grading worksheet of a Moodle assignment: "
                   f"it has no column {', '.join(missing)}, which Moodle's upload needs; "
                   f"{HOW_TO_GET}")
    if SCALE in col and not any(m in col for m in MAXIMUM):
        raise Stop(f"{path}: the assignment is graded on a scale, which points cannot be "
                   "written in; set its grade type to Point in Moodle and download the "
                   "worksheet again")
    by_number = {c.person["participant"]: c for c in credits if c.person.get("participant")}
    comments = {c.student: comment(grader, assignment, c.student) for c in credits}
    rows, filled, seen = [list(r) for r in sheet.rows], set(), set()
    for row in rows[1:]:
        cells = dict(zip(header, row, strict=False))
        number = re.search(r"(\d+)\s*$", cells.get(IDENTIFIER, ""))
        credit = by_number.get(number.group(1)) if number else None
        if credit is None:
            continue
        seen.add(number.group(1))
        if not writable(done, assignment, credit, cells):
            continue
        row.extend([""] * (len(header) - len(row)))
        maximum = next((cells[m] for m in MAXIMUM if cells.get(m)), "")
        row[col[GRADE]] = points(credit.score * factor(done, assignment, maximum))
        if COMMENTS in col:
            row[col[COMMENTS]] = comments[credit.student]
        filled.add(number.group(1))
    for number, credit in by_number.items():
        if number not in seen:
            done.unexported.append(f"NOT EXPORTED {assignment} · {credit.person.get('name')}"
                                   f" (participant {number}): not in the worksheet {path.name}")
    sheet.write(target, rows)
    done.rows += len(filled)
    done.written.append(f"Moodle grading worksheet of {assignment}: {target} ({len(filled)} "
                        f"of its {len(rows) - 1} rows graded), from {which}")
    if COMMENTS not in col:
        done.notes.append(f"{assignment}: the worksheet has no {COMMENTS} column (the "
                          "assignment's feedback comments are off): grades only; the "
                          "feedback files go with the zip")


def writable(done: Exported, assignment: str, credit: Credit, cells: dict[str, str]) -> bool:
    """May the grade go into this row? Said why not when it may not."""
    shown = credit.person.get("name") or ""
    where = f"NOT EXPORTED {assignment} · {shown} (participant {credit.person['participant']})"
    row_name = cells.get(NAME)
    if row_name is not None and shown != MOODLE_ANONYMOUS and (
            loose_name(row_name) != loose_name(shown)):
        done.unexported.append(f"{where}: the worksheet's row of that participant is "
                               f"{row_name!r}; is it another assignment's worksheet? "
                               "Download this assignment's and export again")
        return False
    if cells.get(CHANGEABLE, "").strip().casefold() == "no":
        done.unexported.append(f"{where}: Moodle says the grade cannot be changed (locked or "
                               "overridden in the gradebook); unlock it and export again")
        return False
    return True


def factor(done: Exported, assignment: str, maximum: str) -> float:
    """From the notebook's points to the row's `Maximum Grade` (a note says so once)."""
    ours = done.maxima[assignment]
    try:
        theirs = float(maximum.strip().replace(",", "."))
    except ValueError:
        return 1.0
    if not ours or not theirs or theirs == ours:
        return 1.0
    note = (f"{assignment}: grades scaled from the notebook's {points(ours)} points to the "
            f"worksheet's maximum grade {points(theirs)}")
    if note not in done.notes:
        done.notes.append(note)
    return theirs / ours


def comment(grader: Grader, assignment: str, student: str) -> str:
    """The short feedback: the points, each check's points, and the feedback file's name."""
    from nbgrader.api import MissingEntry

    cells = scores(grader.gb, assignment, [student]).get(student) or {}
    try:
        sub = grader.gb.find_submission(assignment, student)
        total, maximum, penalty = sub.score, sub.max_score, sub.late_submission_penalty
    except MissingEntry:
        return ""
    checks = "; ".join(f"{name} {points(c.score or 0)}/{points(c.max_score)}"
                       for name, c in cells.items())
    late = f", less {points(penalty)} for lateness" if penalty else ""
    return (f"Autograded: {points(total)} of {points(maximum)} points{late}. Checks: "
            f"{checks}. The full feedback is the file {assignment}.html.")
