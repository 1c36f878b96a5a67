"""Canvas's gradebook import (`--export canvas FILE`), into the assignment's existing column.

What Canvas reads (`GradebookImporter`, app/models/gradebook_importer.rb in canvas-lms): a
header row starting `Student`, `ID`, then `SIS User ID`, `SIS Login ID` and `Section` before
the assignments; a row starting `Points Possible`; a student row matched by `ID` (the Canvas
user id), then SIS ids, then name. An assignment column is matched by the id in its title,
`Title (id)` (`Assignment.title_and_id`), else by a title equal to the whole header, else it
is a new assignment Canvas offers to create. So every column written here carries the id of
an assignment that exists:

1. the title asked for: `--lms-assignment "Title (id)"` (`NAME="Title (id)"` with several
   assignments), else `c.CanvasExport.assignments = {NAME: "Title (id)"}` in
   nbgrader_config.py; a bare id is enough when a roster names the column;
2. else the roster's (Canvas's gradebook export: the export's `--roster`, else the one the
   assignment's import was given) column whose title is the assignment's name;
3. else the export stops, saying how to name the column.

An id the roster does not list stops it too (an assignment made after that gradebook export:
download it again). Canvas's points possible for the column come from the roster's `Points
Possible` row; when they are not the notebook's points, the scores are scaled to them and the
export says so. The `Points Possible` row written is Canvas's own value, so nothing changes
there.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass

from traitlets import Dict, Unicode
from traitlets.config import Configurable

from ..problems import Stop
from ..session import Grader
from .credits import Credit, Exported, points, roster_for, text
from .roster import CANVAS_TITLE, read_roster

HEADER = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


class CanvasExport(Configurable):
    """Settings of the Canvas export (`c.CanvasExport` in nbgrader_config.py)."""

    assignments = Dict(
        value_trait=Unicode(), per_key_traits=None,
        help="Each notebook assignment's Canvas column, as Canvas's gradebook export titles "
        "it: {'01_simple_rnn': 'Lesson 1 - Simple RNN (12345)'}. The id in brackets is the "
        "assignment's in Canvas (the end of its address).",
    ).tag(config=True)


@dataclass
class Column:
    title: str                  # the header, `Title (id)`
    canvas_points: float | None  # Canvas's points possible, when the roster gives them
    source: str                 # where the title came from


def canvas_columns(grader: Grader, names: list[str], given, asked: dict[str, str]
                   ) -> dict[str, Column]:
    """Each assignment's Canvas column; `Stop` (before anything is graded or written) for the
    first one no title, setting or roster names."""
    configured = CanvasExport(config=grader.config).assignments
    return {a: column(grader, a, asked.get(a) or configured.get(a), given) for a in names}


def write_import(grader: Grader, done: Exported, credits: dict[str, list[Credit]],
                 given, asked: dict[str, str]) -> None:
    """FILE: one row per person credited, one column per assignment."""
    columns = canvas_columns(grader, list(credits), given, asked)
    people: dict[str, dict] = {}
    cells: dict[str, dict[str, str]] = {}
    for assignment, found in credits.items():
        scale = scaling(done, assignment, columns[assignment])
        for credit in found:
            person = people.setdefault(credit.person["lms_id"], {})
            person.update({k: v for k, v in credit.person.items() if v not in (None, "")})
            cells.setdefault(credit.person["lms_id"], {})[assignment] = points(
                credit.score * scale)
    names = list(credits)
    maxima = [columns[a].canvas_points if columns[a].canvas_points is not None
              else done.maxima[a] for a in names]
    rows = [["Points Possible", "", "", "", ""] + [points(m) for m in maxima]]
    for key, p in sorted(people.items(), key=lambda kv: (kv[1].get("name", ""), kv[0])):
        rows.append([text(p.get("name")), key, p.get("sis_user_id", ""),
                     p.get("sis_login_id", ""), text(p.get("section"))]
                    + [cells[key].get(a, "") for a in names])
    with open(done.csv, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER + [columns[a].title for a in names])
        writer.writerows(rows)
    done.rows = len(people)
    done.written.append(f"Canvas grade import: {done.csv} ({done.rows} students), into "
                        + ", ".join(f"{columns[a].title!r} ({columns[a].source})"
                                    for a in names))


def scaling(done: Exported, assignment: str, col: Column) -> float:
    """The factor from the notebook's points to Canvas's, said in a note when it is not 1."""
    ours = done.maxima[assignment]
    if col.canvas_points is None:
        done.notes.append(f"{assignment}: Canvas's points possible for {col.title!r} are not "
                          f"known here (no roster lists them): the scores are out of "
                          f"{points(ours)}, as the notebook's; make the Canvas assignment "
                          f"worth {points(ours)} points")
        return 1.0
    if not ours or col.canvas_points == ours:
        return 1.0
    done.notes.append(f"{assignment}: scores scaled from the notebook's {points(ours)} points "
                      f"to the {points(col.canvas_points)} points possible of "
                      f"{col.title!r} in Canvas")
    return col.canvas_points / ours


def column(grader: Grader, assignment: str, asked: str | None, given) -> Column:
    """The assignment's column in Canvas (see the module's text); `Stop` when none is known."""
    path, which = roster_for(grader, assignment, given, "canvas")
    roster = read_roster(path) if path is not None else None
    listed = {CANVAS_TITLE.match(t)["id"]: t for t in roster.columns.values()} if roster else {}

    def found(title: str, source: str) -> Column:
        value = (roster.points.get(title) or "") if roster else ""
        try:
            canvas_points = float(value.replace(",", "."))
        except ValueError:
            canvas_points = None
        return Column(title, canvas_points, source)

    if asked:
        match = CANVAS_TITLE.match(asked.strip()) or re.fullmatch(r"\s*(?P<id>\d+)\s*", asked)
        if match is None:
            raise Stop(name_it(assignment, f"{asked!r} has no Canvas id", listed, which))
        if match["id"] in listed:
            return found(listed[match["id"]], "as asked, titled as Canvas's export titles it")
        if roster is not None:
            raise Stop(name_it(assignment, f"{which} has no assignment with the id "
                               f"{match['id']} (download the gradebook export again if it "
                               "is new)", listed, which))
        if "title" not in match.groupdict():
            raise Stop(name_it(assignment, f"the bare id {match['id']} needs a roster that "
                               "titles it, or the whole title", listed, which))
        return found(asked.strip(), "as asked")
    same = [t for title, t in roster.columns.items()
            if " ".join(title.split()).casefold() == assignment.casefold()] if roster else []
    if len(same) == 1:
        return found(same[0], f"from {which}")
    why = (f"{which} has no column titled {assignment}" if roster else
           "no roster (Canvas's gradebook export) was given to the import or the export")
    raise Stop(name_it(assignment, why, listed, which))


def name_it(assignment: str, why: str, listed: dict[str, str], which: str) -> str:
    """The paragraph that says how to name the assignment's Canvas column."""
    there = (f" Its assignments: {', '.join(repr(t) for t in listed.values())}." if listed
             else "")
    return (f"Canvas cannot be given the grades of {assignment} without its column as Canvas "
            f"titles it, `Title (id)`: a column without the id of an existing assignment "
            f"makes Canvas create a new one. Here {why}.{there} Name the column with "
            f"--lms-assignment \"Lesson 1 - Simple RNN (12345)\" (with several assignments: "
            f"--lms-assignment {assignment}=\"Title (12345)\"), or once in nbgrader_config.py: "
            f"c.CanvasExport.assignments = {{\"{assignment}\": \"Title (12345)\"}}; the id is "
            "the number at the end of the assignment's address in Canvas and in its column "
            "of Canvas's gradebook export (Grades, Export), which --roster also takes.")
