"""Moodle's course-gradebook import (`--export moodle-gradebook FILE`): the other way in.

*Grades, Import, CSV file* (grade/import/csv/classes/load_data.php) maps one column to the
user (email address, ID number or username) and each other column to a grade item, and stops
at a row whose user it cannot find. The file: `Full name`, `Email address`, `ID number`,
`Username`, a `Participant (<assignment>)` column per assignment (the number its download
gave), then one grade column per assignment. A grade imported this way into an activity's
item is *overridden* in the gradebook (`grade_item::update_final_grade`,
lib/grade/grade_item.php), which the assignment treats as locked: it can no longer change it.
No feedback comment goes with it. The assignment's grading worksheet
(rnncourse.grading.lms.worksheet) has neither problem and is the default.
"""

from __future__ import annotations

import csv

from .credits import Credit, Exported, points, text

HEADER = ["Full name", "Email address", "ID number", "Username"]
IDS = ("email", "idnumber", "username")


def write_gradebook_import(done: Exported, credits: dict[str, list[Credit]]) -> None:
    """One row per person with an email, ID number or username; the others are listed."""
    names = list(credits)
    people: dict[str, dict] = {}
    cells: dict[str, dict[str, str]] = {}
    for assignment, found in credits.items():
        for credit in found:
            person = credit.person
            key = next((person[k].strip().lower() for k in IDS if person.get(k)), None)
            if key is None:
                done.unexported.append(
                    f"NOT EXPORTED {assignment} · {person.get('name') or credit.student}: "
                    "Moodle's gradebook import needs an email address, ID number or "
                    "username, which the download does not give: import with --roster, the "
                    "assignment's grading worksheet")
                continue
            row = people.setdefault(key, {"participants": {}})
            row.update({k: v for k, v in person.items() if v not in (None, "")})
            row["participants"][assignment] = person.get("participant") or ""
            cells.setdefault(key, {})[assignment] = points(credit.score)
    header = HEADER + [f"Participant ({a})" for a in names] + names
    rows = [[text(p.get("name")), p.get("email", ""), p.get("idnumber", ""),
             p.get("username", "")] + [p["participants"].get(a, "") for a in names]
            + [cells[key].get(a, "") for a in names]
            for key, p in sorted(people.items(), key=lambda kv: (kv[1].get("name", ""), kv[0]))]
    with open(done.csv, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    done.rows = len(rows)
    done.written.append(f"Moodle course gradebook import: {done.csv} ({done.rows} students)")
    done.notes.append(
        "Grades are points: give each Moodle grade item this maximum: "
        + ", ".join(f"{a} {points(m)}" for a, m in done.maxima.items()))
    done.notes.append(
        "Moodle locks grades imported through the course gradebook in the assignment "
        "(overridden) and takes no feedback comment with them; --export moodle fills in the "
        "assignment's grading worksheet instead")
