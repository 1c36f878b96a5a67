"""Grades and feedback back to the LMS: `--export canvas|moodle|moodle-gradebook FILE`.

* `canvas`: Canvas's gradebook import, into the assignment's existing column `Title (id)`
  (rnncourse.grading.lms.canvas);
* `moodle`: the assignment's grading worksheet as Moodle wrote it, with each graded student's
  grade and a short feedback comment filled in, for its *Upload grading worksheet*
  (rnncourse.grading.lms.worksheet);
* `moodle-gradebook`: the course gradebook's CSV import (*Grades, Import, CSV file*): `Full
  name`, `Email address`, `ID number`, `Username`, a `Participant (<assignment>)` column per
  assignment, then a grade column per assignment. Moodle locks a grade imported this way in
  the assignment (it shows as overridden in the gradebook) and takes no comment with it.

Beside FILE, one zip per assignment of the feedback HTML, named so the LMS's bulk feedback
upload matches each file to its student: Canvas's *Re-Upload Submissions* reads the first two
all-digit parts of a name as the user id and the id of the submitted file (a group's file goes
to the whole group); Moodle's *Upload multiple feedback files in a zip* reads the participant
number out of `<name>_<NNN>_assignfeedback_file_/`.

A score is nbgrader's (`nbgrader export`'s: the points less the late penalty, never below 0).
A group's grade and feedback go to every member its import listed. Everyone left out gets a
line `NOT EXPORTED` with the reason; nobody gets two grades for one assignment.
"""

from __future__ import annotations

import zipfile
from collections import defaultdict
from pathlib import Path

from ..session import Grader
from .credits import Credit, Exported
from .manifest import read_manifest
from .names import LMS_NAMES
from .roster import Roster


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
               roster: Roster | None = None, titles: dict[str, str] | None = None
               ) -> Exported:
    """Write the grades of `names` as `path` for `lms` (canvas, moodle, moodle-gradebook),
    and the feedback zips beside it. `roster`: the LMS's list given to the export (else each
    assignment's import's); `titles`: Canvas column titles asked for (`--lms-assignment`)."""
    from . import canvas, worksheet

    done = Exported(lms, Path(path).resolve())
    done.csv.parent.mkdir(parents=True, exist_ok=True)
    credits: dict[str, list[Credit]] = {}
    for assignment in names:
        credits[assignment] = assignment_credits(grader, done, assignment)
    if lms == "canvas":
        canvas.write_import(grader, done, credits, roster, titles or {})
    elif lms == "moodle":
        for assignment in names:
            target = done.csv if len(names) == 1 else done.csv.with_name(
                f"{done.csv.stem}-{assignment}{done.csv.suffix}")
            worksheet.fill(grader, done, assignment, credits[assignment], roster, target)
    else:
        from .moodle_gradebook import write_gradebook_import

        write_gradebook_import(done, credits)
    for assignment in names:
        upload = feedback_zip(grader, done, assignment)
        if upload is not None:
            done.feedback[assignment] = upload
    return done


def assignment_credits(grader: Grader, done: Exported, assignment: str) -> list[Credit]:
    """Everyone the graded submissions of `assignment` credit (a group's members each), or a
    line saying why not; a person two submissions would credit gets neither."""
    scores, maximum = graded_scores(grader, assignment)
    done.maxima[assignment] = maximum or 0.0
    students = read_manifest(grader, assignment)["students"]
    found = []
    for student in sorted(set(scores) | set(students)):
        entry = exportable(done, assignment, student, students.get(student))
        if entry is None:
            continue
        if student not in scores:
            done.unexported.append(f"NOT EXPORTED {assignment} · {student}: not graded; "
                                   "nothing is written for them")
            continue
        found += [Credit(assignment, student, person, scores[student])
                  for person in entry.get("members", [entry])]
    by_person = defaultdict(list)
    for credit in found:
        by_person[person_key(done.platform, credit.person)].append(credit)
    for key, twice in by_person.items():
        if len(twice) > 1:
            done.unexported.append(
                f"NOT EXPORTED {assignment} · {key}: credited by the submissions of "
                f"{' and '.join(c.student for c in twice)}; grade them by hand")
    return [c for c in found if len(by_person[person_key(done.platform, c.person)]) == 1]


def person_key(lms: str, person: dict) -> str:
    return person.get("lms_id" if lms == "canvas" else "participant") or person.get("name", "")


def exportable(done: Exported, assignment: str, student: str, entry: dict | None
               ) -> dict | None:
    """The LMS's entry of a student (or group) of the gradebook, or None, said why."""
    if entry is None or entry.get("lms") != done.platform:
        how = (f"imported from {LMS_NAMES[entry['lms']]}" if entry
               else "not imported from an LMS download")
        name = LMS_NAMES[done.platform]
        done.unexported.append(f"NOT EXPORTED {assignment} · {student}: {how}, so {name} has "
                               f"no id of theirs here (import with --from the {name} "
                               "download)")
        return None
    return entry


def feedback_name(lms: str, person: dict, entry: dict, assignment: str) -> str:
    """The name the LMS's bulk feedback upload matches to `person` (of the import's `entry`)."""
    if lms == "canvas":
        return f"{entry['prefix']}_{assignment}.html"
    name = (person.get("name") or "Participant").replace("_", " ").replace("/", " ")
    return f"{name}_{person['participant']}_assignfeedback_file_/{assignment}.html"


def feedback_zip(grader: Grader, done: Exported, assignment: str) -> Path | None:
    """`<FILE stem>-feedback-<assignment>.zip` of every imported student's feedback HTML
    (Canvas: one per submission, a group's to the group; Moodle: one per person); None (and
    no file) when there is none."""
    path = done.csv.with_name(f"{done.csv.stem}-feedback-{assignment}.zip")
    path.unlink(missing_ok=True)
    students = read_manifest(grader, assignment)["students"]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for student, entry in sorted(students.items()):
            if entry.get("lms") != done.platform or not entry.get("prefix"):
                continue
            html = grader.root / "feedback" / student / assignment / f"{assignment}.html"
            if not html.is_file():
                done.unexported.append(f"NO FEEDBACK {assignment} · {student}: {html} does "
                                       "not exist (not graded yet?)")
                continue
            people = [entry] if done.platform == "canvas" else entry.get("members", [entry])
            for person in people:
                if done.platform == "moodle" and not person.get("participant"):
                    continue
                archive.write(html, feedback_name(done.platform, person, entry, assignment))
        empty = not archive.namelist()
    if empty:
        path.unlink()
        return None
    return path
