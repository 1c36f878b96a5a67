"""Does `--export moodle` give back the grading worksheet Moodle gave, filled in, so that the
assignment's own *Upload grading worksheet* takes it?

The importer is the specification (moodle mod/assign/feedback/offline/importgradeslib.php,
`assignfeedback_offline_grade_importer::init` and `next`): it needs the columns `Identifier`,
`Grade` and `Last modified (grade)`, finds the participant after `Participant ` in
`Identifier`, and reads a feedback plugin's column by its field's name (`Feedback comments`).
`process_import_grades` (mod/assign/feedback/offline/locallib.php) skips a grade that cannot be
changed or is above the maximum, and reads the file in the encoding and separator the upload
form is told. The worksheet (mod/assign/gradingtable.php) is downloaded as UTF-8 with a BOM;
a spreadsheet may have saved it as Windows-1252 with semicolons. Fast: nothing is graded.
"""

from __future__ import annotations

import nbformat
import pytest

from rnncourse.grading.lms.export import export_lms
from rnncourse.grading.lms.importer import import_class
from rnncourse.grading.lms.roster import read_roster
from rnncourse.grading.problems import Stop
from rnncourse.grading.session import Grader

from .helpers import (
    WORKSHEET_HEADER,
    fill_gradebook,
    lms_course,
    moodle_name,
    read_csv,
    write_csv,
    zip_files,
)

pytestmark = pytest.mark.unit

A = "04_torch_basic_rnn"
NB = nbformat.writes(nbformat.v4.new_notebook()).encode()
WHEN = "Tuesday, 31 December 2024, 10:00 AM"
ROWS = [  # as Moodle writes them: every participant, submitted or not
    ["Participant 101", "Jane Doe", "jane@uni.edu", "Submitted for grading", "", "10.00",
     "Yes", WHEN, "-", ""],
    ["Participant 102", "José Núñez", "jose@uni.edu", "Submitted for grading", "", "10.00",
     "Yes", WHEN, "-", ""],
    ["Participant 103", "Ann Lee", "ann@uni.edu", "No submission", "", "10.00", "Yes", "-",
     "-", ""],
    ["Participant 104", "Bob Smith", "bob@uni.edu", "Submitted for grading", "7.00", "10.00",
     "No", WHEN, "Monday, 6 January 2025, 9:00 AM", "Graded by hand"],
]


def loop(tmp_path, worksheet_rows, **csv_format):
    """Import a download with the worksheet as written (`csv_format`), grade, and export."""
    course = lms_course(tmp_path / "course", A)
    sheet = write_csv(tmp_path / "in" / "worksheet.csv", [WORKSHEET_HEADER, *worksheet_rows],
                      **csv_format)
    archive = zip_files(tmp_path / "in" / "submissions.zip", {
        moodle_name("Jane Doe", 101, f"{A}.ipynb"): NB,
        moodle_name("José Núñez", 102, f"{A}.ipynb"): NB,
        moodle_name("Bob Smith", 104, f"{A}.ipynb"): NB})
    with Grader.open(course.path) as grader:
        import_class(grader, A, archive, read_roster(sheet), say=lambda line: None)
        fill_gradebook(grader, A, {"jane@uni.edu": (6, 4), "jose@uni.edu": (6, 1.5),
                                   "bob@uni.edu": (0, 4)})
        done = export_lms(grader, "moodle", [A], tmp_path / "out" / "worksheet.csv")
    return sheet, done


def test_the_worksheet_comes_back_row_for_row_with_grades_and_comments(tmp_path):
    """Is the file Moodle's worksheet with only `Grade` and `Feedback comments` of the graded
    participants filled in, every other cell and row as Moodle wrote it, in UTF-8 with its
    BOM; is a grade that cannot be changed left alone, and said?"""
    sheet, done = loop(tmp_path, ROWS, encoding="utf-8-sig")
    assert done.csv.read_bytes().startswith(b"\xef\xbb\xbf")
    before, after = read_csv(sheet, "utf-8-sig"), read_csv(done.csv, "utf-8-sig")
    assert after[0] == before[0] == WORKSHEET_HEADER and len(after) == len(before)
    grade, comments = WORKSHEET_HEADER.index("Grade"), WORKSHEET_HEADER.index(
        "Feedback comments")
    for old, new in zip(before, after, strict=True):
        assert [c for i, c in enumerate(old) if i not in (grade, comments)] == [
            c for i, c in enumerate(new) if i not in (grade, comments)]
    assert [row[grade] for row in after[1:]] == ["10", "7.5", "", "7.00"]
    assert after[1][comments] == (f"Autograded: 10 of 10 points. Checks: first 6/6; second "
                                  f"4/4. The full feedback is the file {A}.html.")
    assert "second 1.5/4" in after[2][comments]
    assert after[3] == before[3] and after[4] == before[4]  # no submission; cannot change
    assert any("Bob Smith (participant 104): Moodle says the grade cannot be changed" in ln
               for ln in done.unexported)
    assert done.written[0].startswith(f"Moodle grading worksheet of {A}: {done.csv} (2 of")


def test_a_worksheet_a_spreadsheet_saved_comes_back_in_its_encoding_and_separator(tmp_path):
    """Saved by a spreadsheet as Windows-1252 with `;` and CRLF: is it written back the same
    way, its untouched rows byte for byte, and a maximum of 100 scales the grades?"""
    rows = [[*row[:5], "100", *row[6:]] for row in ROWS]
    sheet, done = loop(tmp_path, rows, encoding="cp1252", delimiter=";", newline="\r\n")
    before, after = sheet.read_bytes().split(b"\r\n"), done.csv.read_bytes().split(b"\r\n")
    assert len(before) == len(after) and after[0] == before[0]
    assert after[3:] == before[3:]  # Ann Lee (no submission), Bob Smith (locked)
    assert after[2].decode("cp1252").startswith("Participant 102;José Núñez;")
    assert read_csv(done.csv, "cp1252", ";")[2][4] == "75"
    assert any("scaled from the notebook's 10 points to the worksheet's maximum grade 100"
               in note for note in done.notes)


def test_another_assignments_worksheet_credits_nobody_by_number_alone(tmp_path):
    """Participant numbers are drawn per assignment: given a worksheet whose 101 is someone
    else, is that row left alone and the mismatch said, rather than graded?"""
    course = lms_course(tmp_path / "course", A)
    sheet = write_csv(tmp_path / "worksheet.csv", [WORKSHEET_HEADER, *ROWS])
    other = write_csv(tmp_path / "other.csv", [WORKSHEET_HEADER, [
        "Participant 101", "Zoe Ray", "zoe@uni.edu", "Submitted for grading", "", "10.00",
        "Yes", WHEN, "-", ""]])
    archive = zip_files(tmp_path / "s.zip", {moodle_name("Jane Doe", 101, f"{A}.ipynb"): NB})
    with Grader.open(course.path) as grader:
        import_class(grader, A, archive, read_roster(sheet), say=lambda line: None)
        fill_gradebook(grader, A, {"jane@uni.edu": (6, 4)})
        done = export_lms(grader, "moodle", [A], tmp_path / "out.csv", read_roster(other))
    assert read_csv(done.csv) == read_csv(other)
    assert any("row of that participant is 'Zoe Ray'" in ln for ln in done.unexported)


def test_without_a_worksheet_the_export_says_where_to_get_it(tmp_path):
    """Imported without the worksheet and exported without one: does it stop, saying how to
    download it, and is a file that is no worksheet refused by name?"""
    course = lms_course(tmp_path / "course", A)
    archive = zip_files(tmp_path / "s.zip", {moodle_name("Jane Doe", 101, f"{A}.ipynb"): NB})
    participants = write_csv(tmp_path / "participants.csv", [
        ["First name", "Last name", "Email address"], ["Jane", "Doe", "jane@uni.edu"]])
    with Grader.open(course.path) as grader:
        import_class(grader, A, archive, say=lambda line: None)
        fill_gradebook(grader, A, {"jane_doe": (6, 4)})
        with pytest.raises(Stop, match="Download grading worksheet"):
            export_lms(grader, "moodle", [A], tmp_path / "out.csv")
        with pytest.raises(Stop, match="no column Identifier, Grade, Last modified"):
            export_lms(grader, "moodle", [A], tmp_path / "out.csv", read_roster(participants))
    assert not (tmp_path / "out.csv").exists()


def test_a_worksheet_without_comments_gets_grades_and_a_note(tmp_path):
    """An assignment without feedback comments: are the grades written and the missing
    column said?"""
    header = [c for c in WORKSHEET_HEADER if c != "Feedback comments"]
    course = lms_course(tmp_path / "course", A)
    sheet = write_csv(tmp_path / "w.csv", [header, ROWS[0][:-1]])
    archive = zip_files(tmp_path / "s.zip", {moodle_name("Jane Doe", 101, f"{A}.ipynb"): NB})
    with Grader.open(course.path) as grader:
        import_class(grader, A, archive, read_roster(sheet), say=lambda line: None)
        fill_gradebook(grader, A, {"jane@uni.edu": (6, 0)})
        done = export_lms(grader, "moodle", [A], tmp_path / "out.csv")
    assert read_csv(done.csv)[1][header.index("Grade")] == "6"
    assert any("no Feedback comments column" in note for note in done.notes)
