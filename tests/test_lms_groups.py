"""Do group submissions credit exactly the group's members, and never a student whose name
does not match?

Canvas (a group assignment graded as a group): `Assignment#representatives`
(app/models/assignment.rb) gives each group one representative, whose name is replaced by the
group's; `ContentZipper#get_filename` (lib/content_zipper.rb) names the file with that name,
lower-cased and stripped to word characters, `LATE`, and the representative's user id. A
student in no group is a group of one, named by their display name, "First Last"
(`groups_and_ungrouped`). Who is in which group is Canvas's export of the group set
(app/controllers/group_categories_controller.rb, `export`: `name, canvas_user_id, user_id,
login_id, sections, group_name, canvas_group_id, group_id`). Re-Upload Submissions gives a
group's feedback file to the whole group (`generate_comments_from_files`, `group_students`).

Moodle (team submissions): mod/assign/classes/downloader.php names a team's folder with the
group's name (`_` made spaces) and the group's id, `Team A_7_assignsubmission_file`, and the
students in no group share `Default group_assignsubmission_file`; the grading worksheet
(mod/assign/gradingtable.php, `col_team`) gives each participant's team in `Group`; the
feedback zip is read per participant (mod/assign/feedback/file/importziplib.php). A group's
id can be a participant's number too: the name decides. Fast: nothing is graded.
"""

from __future__ import annotations

import zipfile

import nbformat
import pytest

from rnncourse.grading.lms.export import export_lms
from rnncourse.grading.lms.groups import read_group_set
from rnncourse.grading.lms.importer import import_class
from rnncourse.grading.lms.manifest import read_manifest
from rnncourse.grading.lms.roster import read_roster
from rnncourse.grading.session import Grader

from .helpers import (
    WORKSHEET_HEADER,
    canvas_name,
    canvas_reupload_ids,
    fill_gradebook,
    lms_course,
    moodle_upload_participant,
    read_csv,
    write_csv,
    zip_files,
)

pytestmark = pytest.mark.unit

A = "04_torch_basic_rnn"
NB = nbformat.writes(nbformat.v4.new_notebook()).encode()
PEOPLE = {9001: "Smith, Bob", 9002: "Doe, Jane", 9003: "Lee, Ann", 9004: "Kim, Mo",
          9005: "Park, Min", 9006: "Smith, Pilate"}
TEAMS = {9001: ("Team Rocket", 77), 9002: ("Team Rocket", 77), 9003: ("Team Rocket", 77),
         9004: ("Blue Team", 78), 9005: ("Blue Team", 78)}


def canvas_lists(folder):
    """Canvas's gradebook export (the roster) and its export of the group set."""
    roster = write_csv(folder / "gradebook.csv", [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", f"{A} (4404)"],
        ["    Points Possible", "", "", "", "", "10"],
        *[[name, str(uid), f"S{uid}", f"u{uid}@uni.edu", "RNN", ""]
          for uid, name in PEOPLE.items()]])
    groups = write_csv(folder / "groups.csv", [
        ["name", "canvas_user_id", "user_id", "login_id", "sections", "group_name",
         "canvas_group_id", "group_id"],
        *[[name, str(uid), f"S{uid}", f"u{uid}@uni.edu", "RNN", *(
            (TEAMS[uid][0], str(TEAMS[uid][1]), "") if uid in TEAMS else ("", "", ""))]
          for uid, name in PEOPLE.items()]])
    return roster, groups


CANVAS_FILES = {
    canvas_name("teamrocket", 9001, 610, f"{A}.ipynb"): NB,                 # Team Rocket
    canvas_name("blueteam", 9005, 620, f"{A}.ipynb", late=True): NB,        # Blue Team, late
    canvas_name("pilatesmith", 9006, 630, f"{A}.ipynb"): NB,                # in no group
}


def test_a_canvas_group_file_goes_to_every_member_and_a_late_name_is_not_late(tmp_path):
    """With the group set: is each group's file graded once, as the group, its grade written
    for every member and its feedback named for Re-Upload Submissions; is Smith Pilate, in no
    group, neither late nor anyone's group?"""
    course = lms_course(tmp_path / "course", A)
    roster, groups = canvas_lists(tmp_path / "in")
    archive = zip_files(tmp_path / "in" / "submissions.zip", CANVAS_FILES)
    with Grader.open(course.path) as grader:
        done = import_class(grader, A, archive, read_roster(roster), say=lambda line: None,
                            groups=read_group_set(groups))
        manifest = read_manifest(grader, A)["students"]
        fill_gradebook(grader, A, {"group-77": (6, 4), "group-78": (6, 0), "9006": (0, 4)})
        out = export_lms(grader, "canvas", [A], tmp_path / "out" / "canvas.csv")
    assert not done.bad and sorted(done.placed) == ["9006", "group-77", "group-78"]
    assert [m["lms_id"] for m in manifest["group-77"]["members"]] == ["9001", "9002", "9003"]
    assert manifest["group-78"]["late"] is True and manifest["9006"]["late"] is False
    rows = {row[1]: (row[0], row[-1]) for row in read_csv(out.csv)[2:]}
    assert rows == {"9001": ("Smith, Bob", "10"), "9002": ("Doe, Jane", "10"),
                    "9003": ("Lee, Ann", "10"), "9004": ("Kim, Mo", "6"),
                    "9005": ("Park, Min", "6"), "9006": ("Smith, Pilate", "4")}
    with zipfile.ZipFile(out.feedback[A]) as upload:
        ids = sorted(canvas_reupload_ids(n) for n in upload.namelist())
    assert ids == [("9001", "610"), ("9005", "620"), ("9006", "630")]


def test_a_canvas_group_file_without_the_group_set_is_refused_not_given_to_one(tmp_path):
    """Without the group set, is the group's file refused (saying to give --groups) instead
    of graded as its representative's alone, and is a name fitting neither the student nor
    their group refused with it?"""
    course = lms_course(tmp_path / "course", A)
    roster, groups = canvas_lists(tmp_path / "in")
    files = {**CANVAS_FILES, canvas_name("wrongname", 9004, 640, f"{A}.ipynb"): NB}
    archive = zip_files(tmp_path / "in" / "submissions.zip", files)
    with Grader.open(course.path) as grader:
        alone = import_class(grader, A, archive, read_roster(roster), say=lambda line: None)
        both = import_class(grader, A, archive, read_roster(roster), say=lambda line: None,
                            groups=read_group_set(groups))
    reasons = {u.file.rsplit(":", 1)[1].split("_")[0]: u.reason for u in alone.bad}
    assert sorted(alone.placed) == ["9006"]
    assert "Canvas user 9001 is 'Smith, Bob'" in reasons["teamrocket"]
    assert "--groups" in reasons["teamrocket"] and "--groups" in reasons["blueteam"]
    assert "wrongname" in reasons
    assert sorted(both.placed) == ["9006", "group-77", "group-78"]
    refused = {u.file.rsplit(":", 1)[1].split("_")[0]: u.reason for u in both.bad}
    assert list(refused) == ["wrongname"]
    assert "Canvas user 9004 is 'Kim, Mo', in the group 'Blue Team'" in refused["wrongname"]


def test_a_member_credited_twice_stops_the_group_not_the_student(tmp_path):
    """Ann Lee handed in her own file besides Team Rocket's: is the group's refused, naming
    her, and hers imported?"""
    course = lms_course(tmp_path / "course", A)
    roster, groups = canvas_lists(tmp_path / "in")
    files = {**CANVAS_FILES, canvas_name("leeann", 9003, 650, f"{A}.ipynb"): NB}
    archive = zip_files(tmp_path / "in" / "submissions.zip", files)
    with Grader.open(course.path) as grader:
        done = import_class(grader, A, archive, read_roster(roster), say=lambda line: None,
                            groups=read_group_set(groups))
    assert sorted(done.placed) == ["9003", "9006", "group-78"]
    assert [u.reason for u in done.bad] == [
        "the group's member 9003 is credited by 9003 too; the group's file is not imported"]


WHEN = "Tuesday, 31 December 2024, 10:00 AM"
TEAM_HEADER = [*WORKSHEET_HEADER[:4], "Group", *WORKSHEET_HEADER[4:]]


def team_row(number: int, name: str, team: str, late: str = "") -> list[str]:
    return [f"Participant {number}", name, f"{name.split()[0].lower()}@uni.edu",
            f"Submitted for grading{late}", team, "", "10.00", "Yes", WHEN, "-", ""]


TEAM_ROWS = [team_row(101, "Jane Doe", "Team A"), team_row(102, "Max Mustermann", "Team A"),
             team_row(103, "Ann Lee", "Team B"), team_row(104, "Bob Smith", "Default group"),
             team_row(105, "Zoe Ray", "Default group"),
             team_row(106, "Tim Solo", "Not a member of any group, so unable to make "
                      "submissions.")]


def moodle_team_folder(prefix: str) -> str:
    return f"{prefix}_assignsubmission_file/{A}.ipynb"  # Moodle 4.1 and later


def test_moodle_team_folders_credit_their_members_by_the_worksheets_group_column(tmp_path):
    """`Team B_101`: 101 is Team B's group id and Jane Doe's participant number. Is it Team
    B's (Ann Lee's), never Jane's; `Team A_7` Team A's; the default team its members'; and a
    folder named after no one refused? Does the filled worksheet give each member the team's
    grade, and the feedback zip a file per member?"""
    course = lms_course(tmp_path / "course", A)
    sheet = write_csv(tmp_path / "in" / "worksheet.csv", [TEAM_HEADER, *TEAM_ROWS],
                      encoding="utf-8-sig")
    archive = zip_files(tmp_path / "in" / "submissions.zip", {
        moodle_team_folder("Team B_101"): NB, moodle_team_folder("Team A_7"): NB,
        moodle_team_folder("Default group"): NB, moodle_team_folder("Group_102"): NB})
    with Grader.open(course.path) as grader:
        done = import_class(grader, A, archive, read_roster(sheet), say=lambda line: None)
        manifest = read_manifest(grader, A)["students"]
        fill_gradebook(grader, A, {"group-101": (6, 0), "group-7": (6, 4),
                                   "group-default": (0, 4)})
        out = export_lms(grader, "moodle", [A], tmp_path / "out" / "worksheet.csv")
    assert sorted(done.placed) == ["group-101", "group-7", "group-default"]
    assert [m["name"] for m in manifest["group-101"]["members"]] == ["Ann Lee"]
    assert [m["participant"] for m in manifest["group-7"]["members"]] == ["101", "102"]
    [refused] = done.bad
    assert "participant 102 of the worksheet is 'Max Mustermann'" in refused.reason
    grades = {row[1]: row[TEAM_HEADER.index("Grade")] for row in read_csv(
        out.csv, "utf-8-sig")[1:]}
    assert grades == {"Jane Doe": "10", "Max Mustermann": "10", "Ann Lee": "6",
                      "Bob Smith": "4", "Zoe Ray": "4", "Tim Solo": ""}
    with zipfile.ZipFile(out.feedback[A]) as upload:
        found = sorted(moodle_upload_participant(n)[0] for n in upload.namelist())
    assert found == ["101", "102", "103", "104", "105"]


def test_moodle_team_folders_without_the_worksheet_are_not_guessed(tmp_path):
    """Without the worksheet, is the default team's folder refused with the way to fix it?"""
    course = lms_course(tmp_path / "course", A)
    archive = zip_files(tmp_path / "s.zip", {moodle_team_folder("Default group"): NB})
    with Grader.open(course.path) as grader:
        done = import_class(grader, A, archive, say=lambda line: None)
    [refused] = done.bad
    assert "default team" in refused.reason and "--roster" in refused.reason
