"""The loop from the LMS and back, as an instructor runs it: does a Canvas and a Moodle
submissions download go in with one command, get graded, and come out as the grade import and
the feedback upload of the same LMS, under the very ids the download gave?

A small class of lesson 04 (the perfect student, a blank one, a known bug handed in late) is
handed in twice: as Canvas names its download (canvas-lms lib/content_zipper.rb: with an older
upload and a re-upload, a stray PDF, a student the roster does not know, a hostile name, two
students claiming one id under names that are not theirs, a notebook that is not JSON, another
assignment's notebook, a name ending in "late" that is not late work, a group's file named
after the group and its representative), and as Moodle does (mod/assign/classes/downloader.php:
with a text submission, a participant the worksheet does not know, a zip bomb). Each is
imported and graded by `python -m rnncourse.grade --from`, and exported by `--export`: Canvas's
gradebook import (app/models/gradebook_importer.rb) into the roster's own column, and Moodle's
grading worksheet filled in (mod/assign/feedback/offline/importgradeslib.php); the files are
checked column by column and row by row, the feedback names against the LMS's own rules for
matching them (assignment.rb, mod/assign/feedback/file/importziplib.php), and every score
against the gradebook.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbgrader.utils import parse_utc

from rnncourse.engine.course_folder import course_id
from rnncourse.engine.nbgrader_run import nbgrader_env
from rnncourse.grading.gradebook import open_gradebook
from testing import REPO
from testing.plain_grader import PlainCourse

from .helpers import (
    WORKSHEET_HEADER,
    canvas_name,
    canvas_reupload_ids,
    known,
    moodle_name,
    moodle_upload_participant,
    read_csv,
    write_csv,
    zip_files,
)

pytestmark = pytest.mark.lesson("04_torch_basic_rnn")

A = "04_torch_basic_rnn"
CID = course_id(REPO)
DUE = "2025-01-01 00:00:00 UTC"
LATE_POLICY = '\nc.LateSubmissionPlugin.penalty_method = "zero"\n'
STUDENTS = ["perfect", "blank", "mutant_plain_tensors"]


def run_grade(course: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "rnncourse.grade", A, *args, "--course", str(course),
           "--no-progress"]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=900, env=nbgrader_env())


def gradebook(course: PlainCourse) -> dict[str, tuple]:
    """Each student's (score less the late penalty, timestamp, first name, email)."""
    with open_gradebook(course.db_url, CID) as gb:
        return {s.student.id: (max(0.0, s.score - s.late_submission_penalty), s.timestamp,
                               s.student.first_name, s.student.email)
                for s in gb.assignment_submissions(A)}


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> PlainCourse:
    """A course of lessons 01 and 04, a zero-for-late policy, 04 released (so its gradebook
    holds 04's cells) and due on DUE: each LMS's course is a copy of it."""
    course = PlainCourse.scratch(tmp_path_factory.mktemp("template") / "course",
                                 ["01_simple_rnn", A])
    with open(course.path / "nbgrader_config.py", "a") as config:
        config.write(LATE_POLICY)
    course.generate(A)
    with open_gradebook(course.db_url, CID) as gb:
        gb.update_or_create_assignment(A, duedate=parse_utc(DUE))
    return course


@pytest.fixture(scope="module")
def the_class(template) -> dict[str, bytes]:
    release = nbformat.read(template.path / "release" / A / f"{A}.ipynb", as_version=4)
    return {name: nbformat.writes(nb).encode() if not isinstance(nb, bytes) else nb
            for name, nb in known(A).students(release, STUDENTS).items()}


def lms_course(template: PlainCourse, tmp_path: Path) -> PlainCourse:
    shutil.copytree(template.path, tmp_path / "course")
    return PlainCourse(tmp_path / "course")


CANVAS_BAD = {  # a part of the file's name: what its line must say
    "notes.pdf": "not a notebook", "ghost_9999": "has no student 9999",
    "escape_9004": "'..'", "kimmo_9005": "Canvas user 9005 is 'Choi, Ara'",
    "parkmin_9005": "Canvas user 9005 is 'Choi, Ara'",
    "brokenbo_9006": "not valid JSON", "wrongwu_9007": "another assignment's notebook"}
# Sortable names, as Canvas's gradebook export lists them; the download's are their letters.
CANVAS_NAMES = {9001: "Smith, Bob", 9002: "Doe, Jane", 9003: "Smith, Pilate",
                9004: "Escape, Eve", 9005: "Choi, Ara", 9006: "Broken, Bo", 9007: "Wrong, Wu",
                9010: "Rocket, Ray", 9011: "Rocket, Rita"}


def canvas_download(the_class: dict[str, bytes], tmp_path: Path) -> tuple[Path, Path]:
    files = {
        canvas_name("smithbob", 9001, 500, f"{A}.ipynb"): the_class["blank"],
        canvas_name("smithbob", 9001, 610, f"{A}-1.ipynb"): the_class["perfect"],
        canvas_name("doejane", 9002, 520, f"{A}.ipynb", late=True):
            the_class["mutant_plain_tensors"],
        canvas_name("smithpilate", 9003, 530, f"Copy of {A}.ipynb"): the_class["blank"],
        canvas_name("smithpilate", 9003, 531, "notes.pdf"): b"%PDF-1.4 my notes",
        canvas_name("teamrocket", 9010, 700, f"{A}.ipynb"): the_class["perfect"],
        canvas_name("ghost", 9999, 540, f"{A}.ipynb"): the_class["perfect"],
        "../../" + canvas_name("escape", 9004, 550, f"{A}.ipynb"): the_class["perfect"],
        canvas_name("kimmo", 9005, 560, f"{A}.ipynb"): the_class["perfect"],
        canvas_name("parkmin", 9005, 561, f"{A}.ipynb"): the_class["blank"],
        canvas_name("brokenbo", 9006, 570, f"{A}.ipynb"): b'{"cells": [',
        canvas_name("wrongwu", 9007, 580, "01_simple_rnn.ipynb"): the_class["perfect"],
    }
    roster = tmp_path / "downloads" / "canvas-gradebook.csv"
    rows = [["Student", "ID", "SIS User ID", "SIS Login ID", "Section", f"{A} (4404)",
             "Current Score"], ["    Points Possible", "", "", "", "", "10", "(read only)"]]
    rows += [[name, str(i), f"S{i}", f"s{i}@uni.edu", "RNN 1", "", ""]
             for i, name in CANVAS_NAMES.items()]
    groups = tmp_path / "downloads" / "canvas-groups.csv"  # group_categories_controller.rb
    members = [[CANVAS_NAMES[i], str(i), f"S{i}", f"s{i}@uni.edu", "RNN 1",
                "Team Rocket" if i >= 9010 else "", "31" if i >= 9010 else "", ""]
               for i in CANVAS_NAMES]
    archive = zip_files(tmp_path / "downloads" / "canvas-submissions.zip", files)
    write_csv(roster, rows)
    write_csv(groups, [["name", "canvas_user_id", "user_id", "login_id", "sections",
                        "group_name", "canvas_group_id", "group_id"], *members])
    return archive, roster, groups


@pytest.fixture(scope="module")
def canvas(tmp_path_factory, template, the_class):
    """The Canvas loop: import and grade in one command, then export."""
    tmp = tmp_path_factory.mktemp("canvas")
    course = lms_course(template, tmp)
    archive, roster, groups = canvas_download(the_class, tmp)
    graded = run_grade(course.path, "--from", str(archive), "--roster", str(roster),
                       "--groups", str(groups), "--workers", "2")
    exported = run_grade(course.path, "--export", "canvas", str(tmp / "out" / "canvas.csv"))
    return tmp, course, graded, exported


def test_canvas_bad_files_are_named_and_the_rest_is_graded(canvas):
    tmp, course, graded, _ = canvas
    assert graded.returncode == 1, graded.stdout[-3000:] + graded.stderr[-3000:]
    assert "Graded 4 submissions" in graded.stdout
    lines = [ln for ln in graded.stdout.splitlines() if ln.startswith("NOT IMPORTED")]
    for part, reason in CANVAS_BAD.items():
        assert any(part in ln and reason in ln for ln in lines), (part, lines)
    assert len(lines) == len(CANVAS_BAD), lines
    assert "NOT USED" in graded.stdout and "smithbob_9001_500" in graded.stdout
    escaped = [p for p in tmp.rglob("*escape*") if not p.is_relative_to(course.path)]
    assert not escaped and not list(tmp.parent.glob("*escape*"))
    scores = gradebook(course)
    assert sorted(scores) == ["9001", "9002", "9003", "group-31"]
    assert scores["9001"][0] == 10 and scores["9003"][0] == 0 and scores["group-31"][0] == 10
    assert scores["9002"][2:] == ("Jane", "s9002@uni.edu")


def test_canvas_export_is_canvas_gradebook_import_with_the_downloads_ids(canvas):
    """Is the export Canvas's gradebook import into the roster's column `Title (id)`, with a
    row per imported student and per member of the group, scores as the gradebook has them,
    and the feedback named for Re-Upload Submissions?"""
    tmp, course, _, exported = canvas
    assert exported.returncode == 0, exported.stdout[-3000:] + exported.stderr[-3000:]
    rows = read_csv(tmp / "out" / "canvas.csv")
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", f"{A} (4404)"]
    assert rows[1] == ["Points Possible", "", "", "", "", "10"]
    scores = gradebook(course)
    for name, user, sis, login, section, score in rows[2:]:
        assert (name, sis, login, section) == (CANVAS_NAMES[int(user)], f"S{user}",
                                               f"s{user}@uni.edu", "RNN 1")
        graded_as = "group-31" if user in ("9010", "9011") else user
        assert float(score) == scores[graded_as][0]
    # the round trip: exactly the ids of the download's students who were imported
    assert {row[1] for row in rows[2:]} == {"9001", "9002", "9003", "9010", "9011"}
    with zipfile.ZipFile(tmp / "out" / f"canvas-feedback-{A}.zip") as upload:
        ids = {canvas_reupload_ids(name): upload.read(name) for name in upload.namelist()}
    assert sorted(ids) == [("9001", "610"), ("9002", "520"), ("9003", "530"), ("9010", "700")]
    html = (course.path / "feedback" / "9001" / A / f"{A}.html").read_bytes()
    assert ids[("9001", "610")] == html


def moodle_download(the_class: dict[str, bytes], tmp_path: Path) -> tuple[Path, Path]:
    files = {
        moodle_name("Jane Doe", 101, f"{A}.ipynb"): the_class["perfect"],
        moodle_name("Max Mustermann", 102, f"{A}.ipynb"): the_class["mutant_plain_tensors"],
        moodle_name("Max Mustermann", 102, "onlinetext.html", "onlinetext"): b"<p>done</p>",
        moodle_name("Zed Unknown", 103, f"{A}.ipynb"): the_class["perfect"],
        moodle_name("Jane Doe", 101, "bomb.ipynb"): b"0" * (20 * 2**20),
    }
    roster = tmp_path / "downloads" / "grading-worksheet.csv"
    rows = [WORKSHEET_HEADER,
            ["Participant 101", "Jane Doe", "jane@uni.edu", "Submitted for grading", "",
             "10.00", "Yes", "Tuesday, 31 December 2024, 10:00 AM", "-", ""],
            ["Participant 102", "Max Mustermann", "max@uni.edu",
             "Submitted for grading 1 day 10 hours late", "", "10.00", "Yes",
             "Thursday, 2 January 2025, 10:00 AM", "-", ""],
            ["Participant 104", "Ann Lee", "ann@uni.edu", "No submission", "", "10.00", "Yes",
             "-", "-", ""]]
    archive = zip_files(tmp_path / "downloads" / "moodle-submissions.zip", files)
    write_csv(roster, rows, encoding="utf-8-sig")
    return archive, roster


@pytest.fixture(scope="module")
def moodle(tmp_path_factory, template, the_class):
    """The Moodle loop, import, grading and export in one command."""
    tmp = tmp_path_factory.mktemp("moodle")
    course = lms_course(template, tmp)
    archive, roster = moodle_download(the_class, tmp)
    done = run_grade(course.path, "--from", str(archive), "--roster", str(roster),
                     "--workers", "2", "--export", "moodle", str(tmp / "out" / "moodle.csv"))
    return tmp, course, done


def test_moodle_times_reach_the_gradebook_and_the_late_rule_applies(moodle):
    _, course, done = moodle
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("NOT IMPORTED")]
    assert len(lines) == 3, lines
    for part, reason in (("onlinetext.html", "not a notebook"), ("Zed Unknown_103",
                         "has no student 103"), ("bomb.ipynb", "zip bomb")):
        assert any(part in ln and reason in ln for ln in lines), (part, lines)
    scores = gradebook(course)
    assert sorted(scores) == ["jane@uni.edu", "max@uni.edu"]
    assert str(scores["jane@uni.edu"][1]) == "2024-12-31 10:00:00"
    assert str(scores["max@uni.edu"][1]) == "2025-01-02 10:00:00"
    assert scores["jane@uni.edu"][0] == 10 and scores["max@uni.edu"][0] == 0  # zero for late


def test_moodle_export_is_the_grading_worksheet_filled_in(moodle):
    """Is the export the worksheet Moodle gave, row for row, with the graded participants'
    `Grade` and `Feedback comments` filled in (importgradeslib.php reads them by their column
    titles and `Identifier`), and the feedback named for the feedback zip?"""
    tmp, course, _ = moodle
    given = read_csv(tmp / "downloads" / "grading-worksheet.csv", "utf-8-sig")
    rows = read_csv(tmp / "out" / "moodle.csv", "utf-8-sig")
    assert rows[0] == given[0] == WORKSHEET_HEADER and len(rows) == len(given)
    grade, comments = WORKSHEET_HEADER.index("Grade"), WORKSHEET_HEADER.index(
        "Feedback comments")
    scores = gradebook(course)
    assert [row[grade] for row in rows[1:]] == [
        f"{scores['jane@uni.edu'][0]:g}", f"{scores['max@uni.edu'][0]:g}", ""]
    assert rows[1][comments].startswith("Autograded: 10 of 10 points. Checks: ")
    assert "for lateness" in rows[2][comments] and rows[3] == given[3]
    with zipfile.ZipFile(tmp / "out" / f"moodle-feedback-{A}.zip") as upload:
        found = {moodle_upload_participant(name): name for name in upload.namelist()}
    # the round trip: exactly the participant numbers of the download's imported students
    assert sorted(found) == [("101", "assignfeedback", "file"),
                             ("102", "assignfeedback", "file")]
    assert found[("102", "assignfeedback", "file")].endswith(f"/{A}.html")
