"""A class roster as the LMS exports it: who each LMS id is (`--roster FILE`).

* Canvas: the gradebook's own export (Grades, Export, CSV): `Student` ("Last, First"), `ID`
  (the Canvas user id the submissions download names), `SIS User ID`, `SIS Login ID`,
  `Section`, then a column per assignment titled `Title (assignment id)`; the `Points
  Possible` row gives each column's points, and other rows without an ID are skipped. The
  column titles are kept, so the export names the very Canvas assignment.
* Moodle: the assignment's grading worksheet (Assignment, Submissions, Download grading
  worksheet): `Identifier` ("Participant NNN", the number the submissions download names),
  `Full name`, the identity fields the site shows (`Email address`, `ID number`, `Username`),
  `Status`, `Group` (the team, with team submissions) and `Last modified (submission)`, the
  time of the submission. A participants or gradebook export (`First name`, `Last name`,
  `Email address`, ...) without identifiers also works; it is matched by full name.

Any of them is read as a spreadsheet or the LMS wrote it (`CsvFile`: UTF-8 with or without
its BOM, UTF-16, Windows-1252; `,`, `;` or tab), and can be written back the same way. Times
without a zone are read in the course's `c.Exchange.timezone` (nbgrader's, default UTC).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..problems import Stop
from .names import name_slug

CANVAS_INFO = ("Student", "ID", "SIS User ID", "SIS Login ID", "Integration ID", "Section",
               "Root Account")
CANVAS_TITLE = re.compile(r"^(?P<title>.*\S)\s+\((?P<id>\d+)\)$")
GROUP = "group-"  # the student id of a group's file: group-<the group's id in the LMS>
MOODLE_FIELDS = {"Email address": "email", "ID number": "idnumber", "Username": "username"}
# The worksheet's team column (team submissions), and what it says of a student in no team
# or in several (mod/assign/gradingtable.php, col_team; mod/assign/lang/en/assign.php).
MOODLE_GROUP = "Group"
MOODLE_NO_TEAM = ("Not a member of any group, so unable to make submissions.",
                  "Member of more than one group, so unable to make submissions.")


@dataclass
class Roster:
    """Who each student of the LMS is, by the id its download names (Canvas user id, Moodle
    participant number) or, for a roster without those, by full name (`by_name`)."""

    path: Path
    lms: str
    by_id: dict[str, dict] = field(default_factory=dict)
    by_name: dict[str, dict] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)  # assignment title -> column title
    points: dict[str, str] = field(default_factory=dict)   # column title -> points possible
    ambiguous: set[str] = field(default_factory=set)        # names on several rows
    groups: dict[str, list[dict]] = field(default_factory=dict)  # group -> its rows (Moodle)

    def find(self, lms_id: str, name: str) -> dict | None:
        """The roster's row for a student of the download, or None."""
        if self.by_id:
            return self.by_id.get(lms_id)
        return self.by_name.get(name_key(name))


def name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


@dataclass
class CsvFile:
    """A CSV file as its writer left it: its rows (cells as written) and how to write it back
    the same way (the encoding, with its BOM, the delimiter and the line ending)."""

    path: Path
    rows: list[list[str]]
    encoding: str
    delimiter: str
    newline: str

    def write(self, path: Path, rows: list[list[str]]) -> None:
        """`rows` into `path`, written as this file was."""
        out = io.StringIO()
        csv.writer(out, delimiter=self.delimiter, lineterminator=self.newline).writerows(rows)
        Path(path).write_bytes(out.getvalue().encode(self.encoding))


# The encodings a CSV from an LMS or a spreadsheet comes in, tried in order: UTF-16 and UTF-8
# with their BOM (Excel's "Unicode text", Moodle's own download), UTF-8, Windows' Latin.
ENCODINGS = (("utf-16", (b"\xff\xfe", b"\xfe\xff")), ("utf-8-sig", (b"\xef\xbb\xbf",)),
             ("utf-8", (b"",)), ("cp1252", (b"",)))


def read_csv_file(path: Path, what: str = "roster") -> CsvFile:
    """The CSV file `path` as a spreadsheet or the LMS wrote it; `Stop` naming it when it
    cannot be read."""
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        raise Stop(f"cannot read the {what} {path}: {err}") from err
    for encoding, marks in ENCODINGS:
        if data.startswith(marks):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    else:
        raise Stop(f"cannot read the {what} {path}: it is neither UTF-8, UTF-16 nor "
                   "Windows-1252 text; save it again as CSV (UTF-8)")
    try:
        delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    newline = "\r\n" if "\r\n" in text[:4096] else "\n"
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    return CsvFile(Path(path), rows, encoding, delimiter, newline)


def read_rows(path: Path) -> list[list[str]]:
    """The rows of a CSV file as a spreadsheet or the LMS wrote it, each cell stripped."""
    return [[cell.strip() for cell in row] for row in read_csv_file(path).rows]


def read_roster(path: Path, timezone: str = "UTC") -> Roster:
    """The roster in `path`, Canvas's or Moodle's by its header; `Stop` when it is neither."""
    rows = [row for row in read_rows(path) if any(row)]
    if not rows:
        raise Stop(f"the roster {path} is empty")
    header = rows[0]
    if len(header) > 1 and "Student" in header[0] and header[1] == "ID":
        return canvas_roster(Path(path), rows)
    return moodle_roster(Path(path), rows, timezone)


def canvas_roster(path: Path, rows: list[list[str]]) -> Roster:
    header = rows[0]
    roster = Roster(path, "canvas")
    col = {name: i for i, name in enumerate(header)}
    for title in header[len([h for h in header if h in CANVAS_INFO]):]:
        match = CANVAS_TITLE.match(title)
        if match:
            roster.columns[match["title"]] = title
    for row in rows[1:]:
        cells = dict(zip(header, row, strict=False))
        if "Points Possible" in cells.get("Student", ""):
            roster.points = {title: cells.get(title, "") for title in roster.columns.values()}
        if not re.fullmatch(r"\d+", cells.get("ID", "")):
            continue  # Points Possible, muted and other rows without a student
        last, _, first = cells.get("Student", "").partition(",")
        login = cells.get("SIS Login ID", "")
        roster.by_id[cells["ID"]] = {
            "name": cells.get("Student", ""), "last_name": last.strip() or None,
            "first_name": first.strip() or None,
            "sis_user_id": cells.get("SIS User ID", "") if "SIS User ID" in col else "",
            "sis_login_id": login, "section": cells.get("Section", ""),
            "email": login if "@" in login else None}
    return roster


def moodle_roster(path: Path, rows: list[list[str]], timezone: str) -> Roster:
    header = rows[0]
    names = ("Full name" in header) or ("First name" in header and "Last name" in header)
    if not names:
        raise Stop(f"{path} is not a roster: it is neither Canvas's gradebook export (Student, "
                   "ID, ...) nor Moodle's grading worksheet or participants export (Full "
                   "name, or First name and Last name); docs/instructors.md, \"From the LMS "
                   "and back\", says where to download one")
    roster = Roster(path, "moodle")
    for row in rows[1:]:
        entry = moodle_entry(dict(zip(header, row, strict=False)), timezone)
        if entry.get("participant"):
            roster.by_id[entry["participant"]] = entry
        if entry.get("team"):
            roster.groups.setdefault(entry["team"], []).append(entry)
        key = name_key(entry["name"])
        if key in roster.by_name:
            roster.ambiguous.add(key)
        roster.by_name[key] = entry
    for key in roster.ambiguous:
        roster.by_name.pop(key, None)
    return roster


def moodle_entry(cells: dict[str, str], timezone: str) -> dict:
    first, last = cells.get("First name", ""), cells.get("Last name", "")
    name = cells.get("Full name") or f"{first} {last}".strip()
    ident = re.search(r"(\d+)\s*$", cells.get("Identifier", ""))
    entry = {"name": name, "first_name": first or None, "last_name": last or None,
             "participant": ident.group(1) if ident else None}
    for column, key in MOODLE_FIELDS.items():
        entry[key] = cells.get(column) or None
    group = cells.get(MOODLE_GROUP, "")
    if group and group not in MOODLE_NO_TEAM:  # the team the worksheet lists them in
        entry["team"] = group
    status = cells.get("Status", "")
    entry["late"] = "late" in status.casefold()
    entry["timestamp"] = lms_time(cells.get("Last modified (submission)", ""), timezone)
    if not (first or last) and name:
        first_part, _, last_part = name.partition(" ")
        entry["first_name"], entry["last_name"] = first_part or None, last_part or None
    return entry


def lms_time(text: str, timezone: str = "UTC") -> str | None:
    """A time an LMS wrote ("Monday, 6 January 2025, 10:00 AM"), in UTC as nbgrader's
    timestamp.txt holds it; None when there is none ("-", "No submission") or it is unreadable."""
    import dateutil.parser
    import dateutil.tz

    if not text or not re.search(r"\d{4}", text):
        return None
    try:
        when = dateutil.parser.parse(text)
    except (ValueError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dateutil.tz.gettz(timezone) or dateutil.tz.UTC)
    utc = when.astimezone(dateutil.tz.UTC).replace(tzinfo=None)
    return utc.isoformat(" ")


def lms_entry(lms: str, info: dict, roster: Roster | None) -> dict | None:
    """What the download and the roster say of one student; None when the roster, given,
    does not know them."""
    name = info.get("name") or ""
    entry = {"lms": lms, "lms_id": info["student_id"], "name": name,
             "late": bool(info.get("late")),
             "timestamp": None, "prefix": info.get("prefix")}
    if info.get("timestamp"):  # a zip_collect expression's own (?P<timestamp>...)
        from nbgrader.utils import parse_utc

        entry["timestamp"] = parse_utc(info["timestamp"]).isoformat(" ")
    if lms == "moodle":
        entry["participant"] = info["participant"]
    if roster is None:
        return entry
    row = roster.find(info["student_id"], name)
    if row is None:
        return None
    merged = {**entry, **{k: v for k, v in row.items() if v not in (None, "")}}
    merged["late"] = bool(entry["late"] or row.get("late"))
    merged["name"] = row.get("name") or name
    merged["download_name"] = name
    return merged


def student_id(lms: str, entry: dict) -> str:
    """The nbgrader student id: Canvas's user id; for Moodle, whose participant numbers change
    with every assignment, the roster's email, ID number or username, else the full name."""
    if entry.get("group"):  # a group's file (rnncourse.grading.lms.groups)
        return f"{GROUP}{entry['group']['id']}"
    if lms != "moodle":
        return entry["lms_id"]
    for key in ("email", "idnumber", "username"):
        if entry.get(key):
            return entry[key].strip().lower() if key == "email" else entry[key].strip()
    return name_slug(entry.get("download_name") or entry["name"]) or f"moodle_{entry['lms_id']}"
