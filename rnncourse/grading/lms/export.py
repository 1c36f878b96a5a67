"""Grades and feedback back to the LMS: `--export canvas|moodle FILE`.

FILE is a CSV the LMS's grade import takes, one row per student and one column per assignment,
the students named by the ids the LMS gave (kept by the import, rnncourse.grading.lms.importer);
next to it, one zip per assignment of the feedback HTML, named so the LMS's bulk feedback upload
matches every file to its student. A score is nbgrader's (`nbgrader export`'s `score`: the
points less the late penalty, never below 0); an assignment a student has no grade for is an
empty cell, which Canvas reads as "no change" and Moodle as "no grade".

* Canvas (Grades, Import): the columns `Student`, `ID`, `SIS User ID`, `SIS Login ID`,
  `Section`, then one per assignment, titled `Title (assignment id)` when the roster (Canvas's
  gradebook export) gave that title, else the assignment's name (Canvas then matches the title,
  or offers to create the assignment); a second row `Points Possible` with each maximum.
  Canvas finds each student by `ID`, the Canvas user id of the submissions download.
  Feedback: `<lastfirst>_<userid>_<fileid>_<assignment>.html` (the download's own prefix),
  for the assignment's "Re-Upload Submissions", which takes the first two all-digit parts of
  each name as the user id and the id of the submitted file.
* Moodle (Grades, Import, CSV file): `Full name`, `Email address`, `ID number`, `Username`, a
  `Participant (<assignment>)` column per assignment (the number its download gave), then one
  grade column per assignment; map `Email address` (or `ID number`, `Username`) to the user,
  and each assignment's column to its grade item. Only students with one of those three are
  written (Moodle's import stops at a user it cannot find): import with the roster.
  Feedback: `<Full Name>_<NNN>_assignfeedback_file_/<assignment>.html`, for the assignment's
  "Upload multiple feedback files in a zip", which reads the participant number NNN.
"""

from __future__ import annotations

import csv
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..session import Grader
from .importer import read_manifest
from .names import LMS_NAMES
from .roster import Roster

CANVAS_HEADER = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_HEADER = ["Full name", "Email address", "ID number", "Username"]
MOODLE_IDS = ("email", "idnumber", "username")


@dataclass
class Exported:
    lms: str
    csv: Path
    rows: int = 0
    maxima: dict[str, float] = field(default_factory=dict)     # assignment -> points
    feedback: dict[str, Path] = field(default_factory=dict)   # assignment -> zip
    unexported: list[str] = field(default_factory=list)        # one line each, with the reason

    def lines(self) -> list[str]:
        lines = [f"{LMS_NAMES[self.lms]} grade import: {self.csv} ({self.rows} students)"]
        lines += [f"{LMS_NAMES[self.lms]} feedback upload of {a}: {zip_path}"
                  for a, zip_path in self.feedback.items()]
        if self.lms == "moodle" and self.maxima:
            lines.append("Grades are points: give each Moodle grade item this maximum: " +
                         ", ".join(f"{a} {points(m)}" for a, m in self.maxima.items()))
        return lines + [f"  {line}" for line in self.unexported]


def points(value: float) -> str:
    return f"{round(value, 2):g}"


def text(value: str | None) -> str:
    """A name as a CSV cell a spreadsheet shows as text, never runs as a formula."""
    value = value or ""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def graded_scores(grader: Grader, assignment: str) -> tuple[dict[str, float], float | None]:
    """Each graded student's score (nbgrader export's: points less the late penalty, at
    least 0), and the assignment's maximum; ({}, None) when the gradebook lacks it."""
    from nbgrader.api import MissingEntry

    try:
        found = grader.gb.find_assignment(assignment)
        subs = grader.gb.assignment_submissions(assignment)
    except MissingEntry:
        return {}, None
    scores = {}
    for sub in subs:
        if all(g.auto_score is not None or g.manual_score is not None
               for nb in sub.notebooks for g in nb.grades):
            scores[sub.student.id] = max(0.0, sub.score - sub.late_submission_penalty)
    return scores, found.max_score


def export_lms(grader: Grader, lms: str, names: list[str], path: Path,
               roster: Roster | None = None) -> Exported:
    """Write the grades of `names` as `path` for `lms`, and the feedback zips beside it."""
    done = Exported(lms, Path(path).resolve())
    done.csv.parent.mkdir(parents=True, exist_ok=True)
    people: dict[str, dict] = {}
    cells: dict[str, dict[str, str]] = {}
    maxima = done.maxima
    for assignment in names:
        scores, maximum = graded_scores(grader, assignment)
        maxima[assignment] = maximum or 0.0
        students = read_manifest(grader, assignment)["students"]
        for student in sorted(set(scores) | set(students)):
            entry = exportable(done, assignment, student, students.get(student), roster)
            if entry is None:
                continue
            key = entry["lms_id"] if lms == "canvas" else student
            person = people.setdefault(key, {"participants": {}})
            person.update({k: v for k, v in entry.items() if v not in (None, "")})
            person["participants"][assignment] = entry.get("participant", "")
            if student in scores:
                cells.setdefault(key, {})[assignment] = points(scores[student])
            else:
                done.unexported.append(f"NOT EXPORTED {assignment} · {student}: not graded; "
                                       "the cell is empty")
        upload = feedback_zip(grader, done, assignment, students)
        if upload is not None:
            done.feedback[assignment] = upload
    people = {key: person for key, person in people.items() if key in cells}
    titles = column_titles(grader, lms, names, roster)
    write_csv(done, people, cells, maxima, titles)
    return done


def exportable(done: Exported, assignment: str, student: str, entry: dict | None,
               roster: Roster | None) -> dict | None:
    """The LMS's entry of a graded student (refined by `roster`), or None, said why."""
    def skip(reason: str) -> None:
        done.unexported.append(f"NOT EXPORTED {assignment} · {student}: {reason}")

    if entry is None or entry.get("lms") != done.lms:
        how = (f"imported from {LMS_NAMES[entry['lms']]}" if entry
               else "not imported from an LMS download")
        return skip(f"{how}, so {LMS_NAMES[done.lms]} has no id of theirs here (import with "
                    f"--from the {LMS_NAMES[done.lms]} download)")
    if roster is not None and roster.lms == done.lms:
        row = roster.find(entry["lms_id"], entry.get("download_name") or entry["name"])
        entry = {**entry, **{k: v for k, v in (row or {}).items() if v not in (None, "")}}
    if done.lms == "moodle" and not any(entry.get(key) for key in MOODLE_IDS):
        return skip("Moodle's grade import needs an email address, ID number or username, "
                    "which its download does not give: import (or export) with --roster, "
                    "the assignment's grading worksheet")
    return entry


def column_titles(grader: Grader, lms: str, names: list[str], roster: Roster | None
                  ) -> dict[str, str]:
    """Each assignment's column title: Canvas's own `Title (id)` when a roster gave it."""
    titles = {}
    for name in names:
        title = name
        if lms == "canvas":
            saved = read_manifest(grader, name).get("column")
            title = (roster.columns.get(name) if roster and roster.lms == "canvas" else None
                     ) or saved or name
        titles[name] = title
    return titles


def write_csv(done: Exported, people: dict[str, dict], cells: dict[str, dict[str, str]],
              maxima: dict[str, float], titles: dict[str, str]) -> None:
    names = list(titles)
    if done.lms == "canvas":
        header = CANVAS_HEADER + [titles[a] for a in names]
        rows = [["Points Possible", "", "", "", ""] + [points(maxima[a]) for a in names]]
        for key, p in sorted(people.items(), key=lambda kv: (kv[1].get("name", ""), kv[0])):
            rows.append([text(p.get("name")), key, p.get("sis_user_id", ""),
                         p.get("sis_login_id", ""), text(p.get("section"))]
                        + [cells.get(key, {}).get(a, "") for a in names])
    else:
        header = MOODLE_HEADER + [f"Participant ({a})" for a in names] + names
        rows = []
        for key, p in sorted(people.items(), key=lambda kv: (kv[1].get("name", ""), kv[0])):
            rows.append([text(p.get("name")), p.get("email", ""), p.get("idnumber", ""),
                         p.get("username", "")]
                        + [p["participants"].get(a, "") for a in names]
                        + [cells.get(key, {}).get(a, "") for a in names])
    with open(done.csv, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    done.rows = len(people)


def feedback_name(lms: str, entry: dict, assignment: str) -> str:
    """The name the LMS's bulk feedback upload matches to the student of `entry`."""
    if lms == "canvas":
        return f"{entry['prefix']}_{assignment}.html"
    return f"{entry['prefix']}_assignfeedback_file_/{assignment}.html"


def feedback_zip(grader: Grader, done: Exported, assignment: str, students: dict[str, dict]
                 ) -> Path | None:
    """`<FILE stem>-feedback-<assignment>.zip` of every imported student's feedback HTML;
    None (and no file) when there is none."""
    path = done.csv.with_name(f"{done.csv.stem}-feedback-{assignment}.zip")
    path.unlink(missing_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for student, entry in sorted(students.items()):
            if entry.get("lms") != done.lms or not entry.get("prefix"):
                continue
            html = grader.root / "feedback" / student / assignment / f"{assignment}.html"
            if html.is_file():
                archive.write(html, feedback_name(done.lms, entry, assignment))
            else:
                done.unexported.append(f"NO FEEDBACK {assignment} · {student}: {html} does "
                                       "not exist (not graded yet?)")
        empty = not archive.namelist()
    if empty:
        path.unlink()
        return None
    return path
