"""Do the LMS's downloads go in, and the grades and feedback come out, as Canvas and Moodle
name them? Fast: archives built here, imported into scratch courses, exported from a gradebook
filled through nbgrader's API; nothing is graded (tests/test_lms_round_trip.py grades).

The formats, as the LMS's own code reads and writes them (docs/instructors.md, "From the LMS
and back"): Canvas's submissions download `lastfirst[_LATE]_userid_fileid_name`
(canvas-lms lib/content_zipper.rb, `get_filename`: the sortable name lower-cased and stripped
to word characters, then `LATE` for late work, the user id, the file id), its re-upload taking
the first two all-digit parts of a name as user and file id (app/models/assignment.rb,
`infer_comment_context_from_filename`), its gradebook import's `Student, ID, SIS User ID, SIS
Login ID, Section` header and `Points Possible` row (app/models/gradebook_importer.rb); Moodle's
`Full Name_NNN_assignsubmission_file_/name` folders (mod/assign/classes/downloader.php), its
feedback zip read by splitting each folder name on `_` into name, participant, plugin type and
plugin (mod/assign/feedback/file/importziplib.php). Group submissions, Canvas's column titles
and Moodle's grading worksheet have test modules of their own (tests/test_lms_groups.py,
tests/test_lms_canvas.py, tests/test_lms_worksheet.py).
"""

from __future__ import annotations

import csv
import os
import struct
import zipfile
from pathlib import Path

import nbformat
import pytest
from traitlets.config import Config

from rnncourse.engine.nbgrader_run import check_nbgrader
from rnncourse.grade import main
from rnncourse.grading.kits import empty_gradebook
from rnncourse.grading.lms.archive import SafeExtractor
from rnncourse.grading.lms.canvas import HEADER as CANVAS_HEADER
from rnncourse.grading.lms.export import export_lms
from rnncourse.grading.lms.importer import import_class
from rnncourse.grading.lms.manifest import read_manifest, saved_roster_path
from rnncourse.grading.lms.moodle_gradebook import HEADER as MOODLE_HEADER
from rnncourse.grading.lms.names import collector, notebook_name
from rnncourse.grading.lms.roster import lms_time, read_roster
from rnncourse.grading.session import Grader
from testing.plain_grader import PlainCourse

from .helpers import (
    canvas_name,
    canvas_reupload_ids,
    fill_gradebook,
    moodle_name,
    moodle_upload_participant,
    read_csv,
    zip_files,
)

pytestmark = pytest.mark.unit

A = "04_torch_basic_rnn"
NB = nbformat.writes(nbformat.v4.new_notebook()).encode()
MiB = 2**20


def outside(tmp_path: Path, course: Path) -> set[str]:
    """Every file under tmp_path that is not in the course folder."""
    return {str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")
            if p.is_file() and not p.is_relative_to(course)}


@pytest.fixture
def course(tmp_path) -> PlainCourse:
    """A scratch course with two assignments and an empty gradebook (made once: a new
    gradebook costs nbgrader seconds)."""
    found = PlainCourse.scratch(tmp_path / "course", ["01_simple_rnn", A])
    (found.path / "gradebook.db").write_bytes(empty_gradebook(found.course_id))
    return found


def test_canvas_names_as_the_download_writes_them():
    read = collector("canvas", Config(), A)
    cases = {
        f"smithbob_123_456_{A}.ipynb": ("123", "456", False, f"{A}.ipynb", "smithbob_123_456"),
        f"smithbob_LATE_123_457_{A}-1.ipynb": ("123", "457", True, f"{A}.ipynb",
                                               "smithbob_LATE_123_457"),
        f"smith-bob-late_123_9_{A}.ipynb": ("123", "9", True, f"{A}.ipynb",
                                            "smith-bob-late_123_9"),
        f"doe_jane_12_34_{A}.ipynb": ("12", "34", False, f"{A}.ipynb", "doe_jane_12_34"),
        f"anon_ab1cd_456_{A}.ipynb": ("anon_ab1cd", "456", False, f"{A}.ipynb",
                                      "anon_ab1cd_456"),
        # "Smith, Pilate": a name that ends in "late" is not late work; only _LATE_ is
        f"smithpilate_1020_5_{A}.ipynb": ("1020", "5", False, f"{A}.ipynb",
                                          "smithpilate_1020_5"),
        f"smithpilate_LATE_1020_6_{A}.ipynb": ("1020", "6", True, f"{A}.ipynb",
                                               "smithpilate_LATE_1020_6"),
    }
    for name, (user, file_id, late, original, prefix) in cases.items():
        info = read.collect(name)
        assert (info["student_id"], info["attachment_id"], info["late"], info["file_id"],
                info["prefix"]) == (user, file_id, late, original, prefix), name
    assert read.collect(f"smithpilate_1020_5_{A}.ipynb")["name"] == "smithpilate"
    assert read.collect(f"{A}.ipynb") is None and read.collect("a_1_2_notes.pdf") is None


def test_moodle_names_as_the_download_writes_them():
    read = collector("moodle", Config(), A)
    for name in (moodle_name("Jane Doe", 101, f"{A}.ipynb"),
                 f"top/Jane Doe_101_assignsubmission_file/{A}.ipynb",   # Moodle 4.1 and later
                 f"Jane Doe_101_assignsubmission_file_{A}.ipynb"):       # not in folders
        info = read.collect(name)
        assert (info["participant"], info["name"], info["file_id"]) == (
            "101", "Jane Doe", f"{A}.ipynb"), name
    assert read.collect(moodle_name("Jane Doe", 101, "onlinetext.html", "onlinetext")) is None


def test_renamed_uploads_are_the_assignments_notebook():
    for name in (f"{A}.ipynb", f"{A}-1.ipynb", f"{A}-12.ipynb", f"Copy of {A}.ipynb",
                 f"{A} (1).ipynb", f"{A}-0a1b2c3d-1111-2222-3333-444455556666.ipynb"):
        assert notebook_name(name) == A, name
    assert notebook_name("homework.ipynb") == "homework"


def test_lms_times_become_nbgrader_timestamps():
    assert lms_time("Thursday, 2 January 2025, 10:00 AM") == "2025-01-02 10:00:00"
    assert lms_time("Thursday, 2 January 2025, 10:00 AM", "Europe/Berlin") == (
        "2025-01-02 09:00:00")
    assert lms_time("-") is None and lms_time("No submission") is None


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_the_extractor_refuses_hostile_and_oversized_entries(tmp_path):
    link = zipfile.ZipInfo("link.ipynb")
    link.external_attr = (0o120777 << 16)
    archive = tmp_path / "in" / "download.zip"
    archive.parent.mkdir()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        for name in ("../escape.ipynb", "/etc/evil.ipynb", "a\\..\\b.ipynb", "C:/x.ipynb"):
            out.writestr(name, NB)
        out.writestr(link, "/etc/passwd")
        out.writestr("bomb.ipynb", b"0" * (20 * MiB))
        out.writestr("big.ipynb", os.urandom(3 * MiB))
        out.writestr("inner.zip", b"PK")
        out.writestr("good.ipynb", NB)
        out.writestr("good.ipynb", NB)
    dest = tmp_path / "dest"
    extractor = SafeExtractor(max_file_bytes=2 * MiB)
    extractor.extract_zip(archive, dest, "download.zip:")
    reasons = dict(extractor.problems)
    assert "'..'" in reasons["download.zip:../escape.ipynb"]
    assert "absolute" in reasons["download.zip:/etc/evil.ipynb"]
    assert "absolute" in reasons["download.zip:C:/x.ipynb"]
    assert "backslash" in reasons["download.zip:a\\..\\b.ipynb"]
    assert "symbolic link" in reasons["download.zip:link.ipynb"]
    assert "zip bomb" in reasons["download.zip:bomb.ipynb"]
    assert "too large" in reasons["download.zip:big.ipynb"]
    assert "archive inside the archive" in reasons["download.zip:inner.zip"]
    assert "second file of the same name" in reasons["download.zip:good.ipynb"]
    assert sorted(p.name for p in dest.rglob("*")) == ["good.ipynb"]
    assert outside(tmp_path, dest) == {"in/download.zip"}


def test_a_header_that_lies_about_the_size_does_not_help(tmp_path):
    archive = zip_files(tmp_path / "liar.zip", {"liar.ipynb": b"x" * (4 * MiB)})
    data = bytearray(archive.read_bytes())
    for signature, offset in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):
        at = data.index(signature)
        data[at + offset:at + offset + 4] = struct.pack("<I", 1000)
    archive.write_bytes(bytes(data))
    extractor = SafeExtractor(max_file_bytes=MiB)
    extractor.extract_zip(archive, tmp_path / "dest", "liar.zip:")
    assert "cannot be read" in dict(extractor.problems)["liar.zip:liar.ipynb"]
    assert not any((tmp_path / "dest").rglob("*.ipynb"))


def test_a_corrupt_archive_is_one_line_and_nothing_else(tmp_path, course):
    archive = tmp_path / "canvas.zip"
    archive.write_bytes(b"PK\x03\x04 this is not the rest of a zip file")
    with Grader.open(course.path) as grader:
        done = import_class(grader, A, archive, say=lambda line: None)
    assert [u.line() for u in done.unplaced] == [
        f"NOT IMPORTED {A}: canvas.zip: not a readable zip archive (File is not a zip file); "
        "nothing in it was imported"]
    assert not done.placed and not (course.path / "submitted").exists()


def canvas_class() -> dict[str, bytes]:
    return {
        canvas_name("smithbob", 9001, 500, f"{A}.ipynb"): NB,
        canvas_name("smithbob", 9001, 610, f"{A}-1.ipynb"): NB.replace(b"{", b"{ ", 1),
        canvas_name("doejane", 9002, 520, f"{A}.ipynb", late=True): NB,
        canvas_name("leeann", 9003, 530, f"Copy of {A}.ipynb"): NB,
        canvas_name("leeann", 9003, 531, "notes.pdf"): b"%PDF-1.4 my notes",
        canvas_name("ghost", 9999, 540, f"{A}.ipynb"): NB,
        "../../" + canvas_name("escape", 9004, 550, f"{A}.ipynb"): NB,
        canvas_name("kimmo", 9005, 560, f"{A}.ipynb"): NB,
        canvas_name("parkmin", 9005, 561, f"{A}.ipynb"): NB,
        canvas_name("brokenbo", 9006, 570, f"{A}.ipynb"): b"{not json",
        canvas_name("wrongwu", 9007, 580, "01_simple_rnn.ipynb"): NB,
        canvas_name("otherot", 9008, 590, "homework.ipynb"): NB,
    }


# The class's sortable names ("Last, First"), which Canvas's download writes lower-cased and
# stripped to letters (content_zipper.rb, sanitize_user_name and sanitize_file_name).
CANVAS_NAMES = {9001: "Smith, Bob", 9002: "Doe, Jane", 9003: "Lee, Ann", 9004: "Escape, Eve",
                9005: "Kim, Mo", 9006: "Broken, Bo", 9007: "Wrong, Wu", 9008: "Other, Ot"}


def canvas_roster(path: Path) -> Path:
    """Canvas's gradebook export (GradebookExporter; read back by gradebook_importer.rb): the
    student columns, a column `Title (id)` per assignment, the `Points Possible` row."""
    rows = [["Student", "ID", "SIS User ID", "SIS Login ID", "Section", f"{A} (777)",
             "Current Score"], ["    Points Possible", "", "", "", "", "10", "(read only)"]]
    rows += [[name, str(i), f"S{i}", f"u{i}@uni.edu", "Sec A", "", ""]
             for i, name in CANVAS_NAMES.items()]
    with open(path, "w", newline="") as out:
        csv.writer(out).writerows(rows)
    return path


EXPECTED_CANVAS = {
    "escape_9004_550": "'..'", "brokenbo_9006_570": "not valid JSON",
    "ghost_9999_540": "has no student 9999", "leeann_9003_531_notes.pdf": "not a notebook",
    "wrongwu_9007_580": "another assignment's notebook (01_simple_rnn)",
    "parkmin_9005_561": "named 'parkmin', but Canvas user 9005 is 'Kim, Mo'",
    "otherot_9008_590": "a notebook named 'homework.ipynb'",
}


def test_a_canvas_download_goes_in_under_the_canvas_ids(tmp_path, course):
    archive = zip_files(tmp_path / "in" / "canvas.zip", canvas_class())
    roster = canvas_roster(tmp_path / "in" / "roster.csv")
    with Grader.open(course.path) as grader:
        done = import_class(grader, A, archive, read_roster(roster), say=lambda line: None)
        students = {s.id: (s.first_name, s.last_name, s.email, s.lms_user_id)
                    for s in grader.gb.students}
        manifest = read_manifest(grader, A)
        kept = saved_roster_path(grader, A)
    assert sorted(done.placed) == ["9001", "9002", "9003", "9005"]
    assert students["9002"] == ("Jane", "Doe", "u9002@uni.edu", "9002")
    lines = [u.line() for u in done.bad]
    for part, reason in EXPECTED_CANVAS.items():
        found = [ln for ln in lines if part in ln]
        assert len(found) == 1 and reason in found[0] and "canvas.zip:" in found[0], part
    assert len(lines) == len(EXPECTED_CANVAS), lines
    older = [u for u in done.unplaced if not u.bad]
    assert len(older) == 1 and "smithbob_9001_500" in older[0].file
    placed = course.path / "submitted" / "9001" / A / f"{A}.ipynb"
    assert placed.read_bytes() == canvas_class()[canvas_name("smithbob", 9001, 610,
                                                             f"{A}-1.ipynb")]
    assert sorted(p.name for p in placed.parent.iterdir()) == [f"{A}.ipynb"]  # no time given
    entry = manifest["students"]["9002"]
    assert entry["late"] is True and entry["prefix"] == "doejane_LATE_9002_520"
    assert kept.read_bytes() == roster.read_bytes()  # for the export's column titles
    assert outside(tmp_path, course.path) == {"in/canvas.zip", "in/roster.csv"}


def moodle_worksheet(path: Path) -> Path:
    """The assignment's grading worksheet as Moodle writes it (mod/assign/gradingtable.php
    columns, English strings of mod/assign/lang/en/assign.php; UTF-8 with a BOM)."""
    rows = [["Identifier", "Full name", "Email address", "Status", "Grade", "Maximum Grade",
             "Grade can be changed", "Last modified (submission)", "Last modified (grade)",
             "Feedback comments"],
            ["Participant 101", "Jane Doe", "jane@uni.edu", "Submitted for grading", "", "10",
             "Yes", "Tuesday, 31 December 2024, 10:00 AM", "-", ""],
            ["Participant 102", "Max Mustermann", "max@uni.edu",
             "Submitted for grading 1 day 10 hours late", "", "10", "Yes",
             "Thursday, 2 January 2025, 10:00 AM", "-", ""]]
    with open(path, "w", newline="", encoding="utf-8-sig") as out:
        csv.writer(out).writerows(rows)
    return path


def test_a_moodle_download_goes_in_with_the_worksheets_times(tmp_path, course):
    archive = zip_files(tmp_path / "moodle.zip", {
        moodle_name("Jane Doe", 101, f"{A}.ipynb"): NB,
        moodle_name("Max Mustermann", 102, f"{A}.ipynb"): NB,
        moodle_name("Max Mustermann", 102, "onlinetext.html", "onlinetext"): b"<p>hi</p>",
        moodle_name("Zed Unknown", 103, f"{A}.ipynb"): NB,
        "readme.txt": b"a stray file"})
    roster = read_roster(moodle_worksheet(tmp_path / "worksheet.csv"))
    with Grader.open(course.path) as grader:
        done = import_class(grader, A, archive, roster, say=lambda line: None)
        manifest = read_manifest(grader, A)
    assert sorted(done.placed) == ["jane@uni.edu", "max@uni.edu"]
    late = course.path / "submitted" / "max@uni.edu" / A / "timestamp.txt"
    assert late.read_text() == "2025-01-02 10:00:00"
    assert manifest["students"]["max@uni.edu"]["late"] is True
    assert manifest["students"]["jane@uni.edu"]["participant"] == "101"
    reasons = {u.file: u.reason for u in done.unplaced}
    assert "not a notebook" in reasons[
        f"moodle.zip:{moodle_name('Max Mustermann', 102, 'onlinetext.html', 'onlinetext')}"]
    assert "has no student 103" in reasons[f"moodle.zip:{moodle_name('Zed Unknown', 103, A)}"
                                           ".ipynb"]
    assert "not named as Moodle" in reasons["moodle.zip:readme.txt"]


def test_moodle_without_a_roster_names_students_by_their_full_name(tmp_path, course):
    archive = zip_files(tmp_path / "moodle.zip", {
        moodle_name("Jane Doe", 101, f"{A}.ipynb"): NB,
        moodle_name("Jane Doe", 104, f"{A}.ipynb"): NB,
        moodle_name("José Núñez", 105, f"{A}.ipynb"): NB})
    with Grader.open(course.path) as grader:
        done = import_class(grader, A, archive, say=lambda line: None)
    assert sorted(done.placed) == ["jose_nunez"]
    assert all("two students claim the student id jane_doe" in u.reason for u in done.bad)
    assert len(done.bad) == 2


def test_a_folder_of_loose_notebooks(tmp_path, course):
    folder = tmp_path / "class"
    (folder / "carol").mkdir(parents=True)
    (folder / "alice.ipynb").write_bytes(NB)
    (folder / f"bob_{A}.ipynb").write_bytes(NB)
    (folder / "carol" / f"{A}.ipynb").write_bytes(NB)
    (folder / "Dave Smith.ipynb").write_bytes(NB)
    (tmp_path / "secret.ipynb").write_bytes(NB)
    (folder / "eve.ipynb").symlink_to(tmp_path / "secret.ipynb")
    with Grader.open(course.path) as grader:
        done = import_class(grader, A, folder, say=lambda line: None)
    assert done.lms == "folder" and sorted(done.placed) == ["alice", "bob", "carol"]
    reasons = {u.file: u.reason for u in done.bad}
    assert "cannot be a student id" in reasons["class/Dave Smith.ipynb"]
    assert "symbolic link" in reasons["class/eve.ipynb"]


def test_an_unknown_assignment_imports_nothing(tmp_path, course):
    archive = zip_files(tmp_path / "canvas.zip", canvas_class())
    with Grader.open(course.path) as grader:
        done = import_class(grader, "99_nope", archive, say=lambda line: None)
    assert not done.placed and "no such assignment" in done.bad[0].line()


def test_canvas_export_has_canvas_columns_ids_and_reupload_names(tmp_path, course):
    """Does the Canvas export write the gradebook import's columns (gradebook_importer.rb:
    `Student`, `ID`, SIS ids, `Section`, the roster's own `Title (id)`, a `Points Possible`
    row) and feedback named for Re-Upload Submissions (assignment.rb)?"""
    archive = zip_files(tmp_path / "canvas.zip", canvas_class())
    roster = read_roster(canvas_roster(tmp_path / "roster.csv"))
    with Grader.open(course.path) as grader:
        import_class(grader, A, archive, roster, say=lambda line: None)
        fill_gradebook(grader, A, {"9001": (6, 4), "9002": (6, 1.5), "nbgrader_only": (1, 1)})
        done = export_lms(grader, "canvas", [A], tmp_path / "out" / "canvas.csv")
    rows = read_csv(done.csv)
    assert rows[0] == CANVAS_HEADER + [f"{A} (777)"]
    assert rows[1] == ["Points Possible", "", "", "", "", "10"]
    assert rows[2:] == [["Doe, Jane", "9002", "S9002", "u9002@uni.edu", "Sec A", "7.5"],
                        ["Smith, Bob", "9001", "S9001", "u9001@uni.edu", "Sec A", "10"]]
    assert any("nbgrader_only: not imported from an LMS download" in ln
               for ln in done.unexported)
    assert any("9003: not graded" in ln for ln in done.unexported)
    with zipfile.ZipFile(done.feedback[A]) as upload:
        names = sorted(upload.namelist())
    assert names == [f"doejane_LATE_9002_520_{A}.html", f"smithbob_9001_610_{A}.html"]
    assert sorted(canvas_reupload_ids(n) for n in names) == [("9001", "610"), ("9002", "520")]


def test_moodle_gradebook_export_has_an_identifier_and_a_column_per_grade_item(
        tmp_path, course):
    """Does `moodle-gradebook` write the course gradebook's CSV import (one user column Moodle
    maps to an email, ID number or username, grade/import/csv/classes/load_data.php; a column
    per grade item), say that Moodle locks such grades, and name the feedback for the feedback
    zip (importziplib.php reads the participant number)?"""
    archive = zip_files(tmp_path / "moodle.zip", {
        moodle_name("Jane Doe", 101, f"{A}.ipynb"): NB,
        moodle_name("Max Mustermann", 102, f"{A}.ipynb"): NB})
    roster = read_roster(moodle_worksheet(tmp_path / "worksheet.csv"))
    with Grader.open(course.path) as grader:
        import_class(grader, A, archive, roster, say=lambda line: None)
        fill_gradebook(grader, A, {"jane@uni.edu": (6, 4), "max@uni.edu": (0, 0)})
        done = export_lms(grader, "moodle-gradebook", [A], tmp_path / "moodle.csv")
    rows = read_csv(done.csv)
    assert rows[0] == MOODLE_HEADER + [f"Participant ({A})", A]
    assert rows[1:] == [["Jane Doe", "jane@uni.edu", "", "", "101", "10"],
                        ["Max Mustermann", "max@uni.edu", "", "", "102", "0"]]
    assert any("locks grades" in note for note in done.notes)
    with zipfile.ZipFile(done.feedback[A]) as upload:
        names = sorted(upload.namelist())
    assert names == [f"Jane Doe_101_assignfeedback_file_/{A}.html",
                     f"Max Mustermann_102_assignfeedback_file_/{A}.html"]
    assert [moodle_upload_participant(n) for n in names] == [
        ("101", "assignfeedback", "file"), ("102", "assignfeedback", "file")]


def test_moodle_gradebook_export_without_emails_says_to_give_the_roster(tmp_path, course):
    """Imported without the worksheet, no student has an email: is each one named, with the
    way to fix it, rather than written as a row Moodle's import would stop at?"""
    archive = zip_files(tmp_path / "moodle.zip", {moodle_name("Jane Doe", 101, f"{A}.ipynb"): NB})
    with Grader.open(course.path) as grader:
        import_class(grader, A, archive, say=lambda line: None)
        fill_gradebook(grader, A, {"jane_doe": (6, 4)})
        done = export_lms(grader, "moodle-gradebook", [A], tmp_path / "moodle.csv")
    assert len(read_csv(done.csv)) == 1 and done.rows == 0
    assert any("Jane Doe" in ln and "--roster" in ln for ln in done.unexported)


def test_names_that_look_like_formulas_stay_text(tmp_path, course):
    """Is a name a spreadsheet would run as a formula written as text?"""
    archive = zip_files(tmp_path / "canvas.zip",
                        {canvas_name("hyperlink1", 42, 7, f"{A}.ipynb"): NB})
    roster = tmp_path / "roster.csv"
    roster.write_text('Student,ID,SIS User ID,SIS Login ID,Section,Lesson 4 (12)\n'
                      '"=HYPERLINK(1)",42,,,@s,\n')
    with Grader.open(course.path) as grader:
        import_class(grader, A, archive, read_roster(roster), say=lambda line: None)
        fill_gradebook(grader, A, {"42": (6, 4)})
        done = export_lms(grader, "canvas", [A], tmp_path / "canvas.csv",
                          titles={A: "Lesson 4 (12)"})
    assert read_csv(done.csv)[2][:5] == ["'=HYPERLINK(1)", "42", "", "", "'@s"]


@pytest.mark.parametrize("args, message", [
    (["01_simple_rnn", A, "--from", "x.zip"], "one assignment"),
    ([A, "--export", "blackboard", "x.csv"], "the LMS is canvas, moodle or moodle-gradebook"),
    ([A, "--roster", "r.csv"], "--roster goes with"),
    ([A, "--groups", "g.csv"], "--groups goes with --from"),
    ([A, "--export", "moodle", "x.csv", "--lms-assignment", "L (1)"], "goes with --export canvas"),
    (["01_simple_rnn", A, "--export", "canvas", "x.csv", "--lms-assignment", "L (1)"],
     "say whose column it is"),
])
def test_options_that_do_not_go_together(args, message, capsys):
    """Is each option that needs another, or cannot go with one, a usage error?"""
    with pytest.raises(SystemExit) as stop:
        main(args)
    assert stop.value.code == 2 and message in capsys.readouterr().err


def test_a_roster_that_is_none_stops_before_anything_is_imported(tmp_path, course, capsys):
    (tmp_path / "roster.csv").write_text("Name;Points\nJane;3\n")
    status = main([A, "--export", "canvas", str(tmp_path / "out.csv"), "--roster",
                   str(tmp_path / "roster.csv"), "--course", str(course.path)])
    assert status == 2 and "is not a roster" in capsys.readouterr().err
    assert not (tmp_path / "out.csv").exists()


def test_nbgraders_own_zip_collect_takes_these_plugins(course):
    """`nbgrader zip_collect --extractor=... --collector=...` with the course's classes: the
    same extractor and names, through nbgrader's own command (one file per student)."""
    archive = course.path / "downloaded" / A / "archive"
    zip_files(archive / "canvas.zip", {
        canvas_name("smithbob", 9001, 610, f"{A}-1.ipynb"): NB,
        canvas_name("doejane", 9002, 520, f"Copy of {A}.ipynb", late=True): NB,
        canvas_name("doejane", 9002, 521, "notes.pdf"): b"%PDF"})
    (course.path / "release" / A).mkdir(parents=True)
    (course.path / "release" / A / f"{A}.ipynb").write_bytes(NB)
    check_nbgrader(course.path, "zip_collect", A,
                   "--extractor=rnncourse.grading.lms.archive.SafeExtractor",
                   "--collector=rnncourse.grading.lms.names.CanvasCollector")
    placed = sorted(p.relative_to(course.path / "submitted").as_posix()
                    for p in (course.path / "submitted").rglob("*.ipynb"))
    assert placed == [f"9001/{A}/{A}.ipynb", f"9002/{A}/{A}.ipynb"]
