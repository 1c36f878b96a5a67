"""Who handed a file of the download in: one student, or a group, checked against the class
lists. A group's notebook is graded once, as the student `group-<id>`, and its grade goes to
every member the lists name (rnncourse.grading.lms.export); a file whose name fits neither the
student its number belongs to nor one of their groups is refused, never credited to them.

* Canvas, a group assignment graded as a group: the download holds one file per group, named
  like a student's but after the group (its name, lower-cased and stripped as Canvas strips a
  student's sortable name) and with its representative's user id (`Assignment#representatives`
  gives each group's representative the group's name; `ContentZipper#get_filename` writes
  it). Who is in which group comes from Canvas's export of the group set (People, Groups, the
  set's menu, Export; `GroupCategoriesController#export`: `name` (sortable), `canvas_user_id`,
  `user_id`, `login_id`, `sections`, `group_name`, `canvas_group_id`, `group_id`), given with
  `--groups`.
* Moodle, team submissions: a team's folder is `<group name>_<group id>_assignsubmission_...`
  and the students in no group share `Default group_assignsubmission_...`
  (`mod/assign/classes/downloader.php`, `get_student_prefix`); the grading worksheet lists
  every participant with their team in its `Group` column (`gradingtable.php`, `col_team`).
  With anonymous submissions every folder is `Participant_NNN`, matched by the number alone.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..problems import Stop
from .names import DEFAULT_TEAM
from .roster import GROUP, Roster, lms_entry, read_rows

MOODLE_ANONYMOUS = "Participant"  # the name in every folder of an anonymous assignment


def loose_name(name: str | None) -> str:
    """A name as both an LMS's file name and its lists can write it: Canvas keeps the sortable
    name's letters and digits, lower-cased; Moodle makes `_` a space and drops what a file name
    cannot hold. So: letters and digits only, accents dropped, case folded."""
    text = unicodedata.normalize("NFKD", name or "")
    return "".join(c for c in text.casefold() if c.isalnum())


def canvas_names(sortable: str) -> set[str]:
    """What Canvas may name a student's file with: the sortable name, `Last, First`, or in a
    group assignment, for a student in no group, the name `First Last` (`groups_and_ungrouped`
    in app/models/assignment.rb)."""
    last, comma, first = sortable.partition(",")
    return ({loose_name(sortable), loose_name(f"{first} {last}")} if comma
            else {loose_name(sortable)})


@dataclass
class GroupSet:
    """Canvas's export of a group set: each group's name and members, by Canvas ids."""

    path: Path
    groups: dict[str, dict] = field(default_factory=dict)   # group id -> name, members
    members: dict[str, dict] = field(default_factory=dict)  # user id -> a member's entry


def read_group_set(path: Path) -> GroupSet:
    """The group set exported by Canvas; `Stop` when `path` is something else."""
    rows = [row for row in read_rows(path) if any(row)]
    header = [cell.casefold() for cell in (rows[0] if rows else [])]
    if "canvas_user_id" not in header or "group_name" not in header:
        raise Stop(f"{path} is not Canvas's export of a group set (People, Groups, the set's "
                   "menu, Export: name, canvas_user_id, login_id, sections, group_name, "
                   "canvas_group_id); docs/instructors.md, \"From the LMS and back\"")
    found = GroupSet(Path(path))
    for row in rows[1:]:
        cells = dict(zip(header, row, strict=False))
        user, group = cells.get("canvas_user_id", ""), cells.get("group_name", "")
        if not user:
            continue
        gid = cells.get("canvas_group_id") or group
        login = cells.get("login_id", "")
        found.members[user] = {"lms": "canvas", "lms_id": user, "name": cells.get("name", ""),
                               "sis_user_id": cells.get("user_id", ""), "sis_login_id": login,
                               "section": cells.get("sections", ""),
                               "email": login if "@" in login else None, "group_id": gid}
        if group:
            found.groups.setdefault(gid, {"name": group, "members": []})["members"].append(user)
    return found


@dataclass
class Identity:
    """What a file of the download was found to be: a student's or a group's (`entry`, with
    `members` for a group), or neither (`reason`)."""

    entry: dict | None = None
    reason: str | None = None


def identify(lms: str, info: dict, roster: Roster | None, groups: GroupSet | None
             ) -> Identity:
    """Whose file `info` (a collector's reading of its name) is; see the module's text."""
    if lms == "canvas":
        return canvas_identity(info, roster, groups)
    if lms == "moodle":
        return moodle_identity(info, roster)
    entry = lms_entry(lms, info, roster)
    return Identity(entry) if entry else Identity(reason=unknown(roster, info))


def unknown(roster: Roster | None, info: dict) -> str:
    return (f"the roster {roster.path.name if roster else ''} has no student "
            f"{info.get('student_id')} ({info.get('name') or 'no name'})")


def canvas_identity(info: dict, roster: Roster | None, groups: GroupSet | None) -> Identity:
    user, shown = info["student_id"], info.get("name") or ""
    row = roster.find(user, shown) if roster else None
    member = groups.members.get(user) if groups else None
    person = row or member
    if user.startswith("anon_") or not shown or (person is None and not (roster or groups)):
        entry = lms_entry("canvas", info, roster)  # nothing to compare the name with
        return Identity(entry) if entry else Identity(reason=unknown(roster, info))
    if person is not None and loose_name(shown) in canvas_names(person["name"]):
        if roster is not None and row is None:
            return Identity(reason=unknown(roster, info))
        entry = lms_entry("canvas", info, roster)
        if row is None:  # named by the group set alone
            entry.update({k: v for k, v in member.items() if v and k != "group_id"})
        return Identity(entry)
    group = groups.groups.get(member["group_id"]) if member else None
    if group and loose_name(group["name"]) == loose_name(shown):
        listed = [{**groups.members[u], **roster.by_id.get(u, {})} if roster
                  else groups.members[u] for u in group["members"]
                  if roster is None or u in roster.by_id]
        return group_identity("canvas", info, member["group_id"], group["name"], listed,
                              roster)
    if person is None:
        return Identity(reason=unknown(roster, info))
    where = f", in the group {group['name']!r}" if group else ""
    hint = ("" if groups else "; if it is a group's file, give Canvas's export of the group set "
            "with --groups, and every member gets the grade")
    return Identity(reason=f"named {shown!r}, but Canvas user {user} is {person['name']!r}"
                           f"{where}{hint}; not imported")


def moodle_identity(info: dict, roster: Roster | None) -> Identity:
    number, shown = info["participant"], info.get("name") or ""
    if roster is None or not roster.by_id:
        if number is None:
            return Identity(reason=f"the folder of Moodle's default team ({shown!r}): import "
                                   "it with the grading worksheet (--roster), whose Group "
                                   "column lists who is in it")
        entry = lms_entry("moodle", info, roster)  # by the full name, or unchecked
        return Identity(entry) if entry else Identity(reason=unknown(roster, info))
    row = roster.by_id.get(number) if number else None
    if row is not None and (shown == MOODLE_ANONYMOUS or
                            loose_name(row["name"]) == loose_name(shown)):
        return Identity(lms_entry("moodle", info, roster))
    teams = [team for team in roster.groups if loose_name(team) == loose_name(shown)]
    if len(teams) == 1:
        return group_identity("moodle", info, number or DEFAULT_TEAM.removeprefix(GROUP),
                              teams[0], roster.groups[teams[0]], roster)
    if len(teams) > 1:
        return Identity(reason=f"{len(teams)} groups of the worksheet are called {shown!r} "
                               f"({', '.join(teams)}); not imported")
    if row is not None:
        return Identity(reason=f"the folder names {shown!r} with the number {number}, but "
                               f"participant {number} of the worksheet is {row['name']!r} and "
                               f"no group of the worksheet is called {shown!r}; not imported")
    return Identity(reason=unknown(roster, {"student_id": number, "name": shown}))


def group_identity(lms: str, info: dict, gid: str, name: str, members: list[dict],
                   roster: Roster | None) -> Identity:
    """A group's file, for its members as the lists give them; refused when none is listed."""
    if not members:
        where = f"the roster {roster.path.name}" if roster else "the lists"
        return Identity(reason=f"the group {name!r}'s file, but {where} names none of its "
                               "members; not imported")
    entry = lms_entry(lms, info, None)
    entry.pop("participant", None)  # Moodle: the number in a team's folder is the group's
    stamps = [m["timestamp"] for m in members if m.get("timestamp")]
    entry.update(name=name, group={"id": gid, "name": name}, members=members,
                 late=bool(entry["late"] or any(m.get("late") for m in members)),
                 timestamp=entry["timestamp"] or (max(stamps) if stamps else None))
    return Identity(entry)


def member_keys(lms: str, entry: dict) -> list[str]:
    """The people an entry credits: Canvas user ids, or Moodle participant numbers."""
    key = "lms_id" if lms == "canvas" else "participant"
    return [m.get(key) or "" for m in entry.get("members", [entry])]


