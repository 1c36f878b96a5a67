"""Does the Canvas export go into the assignment's existing column, never a new one?

What Canvas's gradebook import does with a column (canvas-lms app/models/gradebook_importer.rb,
`parse_assignments`): it takes the id out of `Title (id)` (`Assignment.title_and_id`) and uses
the assignment of that id; else an assignment whose title is the whole header; else it makes
a new assignment of that title. Canvas's own gradebook export (the roster) titles each column
`Title (id)` and gives a `Points Possible` row, which the importer reads as the column's
points (`process_pp`). The notebook's name is rarely the Canvas title, so the export takes the
column from the roster, from `--lms-assignment` or from `c.CanvasExport.assignments`, and
stops when none names it. Fast: a gradebook filled through nbgrader's API; nothing is graded.
"""

from __future__ import annotations

import nbformat
import pytest

from rnncourse.grade import main
from rnncourse.grading.lms.export import export_lms
from rnncourse.grading.lms.importer import import_class
from rnncourse.grading.lms.roster import read_roster
from rnncourse.grading.problems import Stop
from rnncourse.grading.session import Grader

from .helpers import canvas_name, fill_gradebook, lms_course, read_csv, write_csv, zip_files

pytestmark = pytest.mark.unit

A = "04_torch_basic_rnn"
NB = nbformat.writes(nbformat.v4.new_notebook()).encode()
TITLE = "Lesson 4 - Torch basic RNN (4404)"  # the assignment as the instructor named it
OTHER = "Quiz 1 (51)"


def gradebook_export(path, points: str = "10"):
    """Canvas's gradebook export: the student columns, an assignment column per assignment
    titled `Title (id)`, the read-only totals, the `Points Possible` row, one row a student."""
    return write_csv(path, [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", OTHER, TITLE,
         "Current Score", "Final Score"],
        ["    Points Possible", "", "", "", "", "5", points, "(read only)", "(read only)"],
        ["Smith, Bob", "9001", "S1", "bob@uni.edu", "RNN", "4", "", "80", "80"],
        ["Doe, Jane", "9002", "S2", "jane@uni.edu", "RNN", "5", "", "100", "100"]])


@pytest.fixture
def graded(tmp_path):
    """A course that imported two students from Canvas (with the roster) and graded them."""
    course = lms_course(tmp_path / "course", A)
    roster = gradebook_export(tmp_path / "in" / "gradebook.csv")
    archive = zip_files(tmp_path / "in" / "submissions.zip", {
        canvas_name("smithbob", 9001, 11, f"{A}.ipynb"): NB,
        canvas_name("doejane", 9002, 12, f"{A}.ipynb"): NB})
    with Grader.open(course.path) as grader:
        import_class(grader, A, archive, read_roster(roster), say=lambda line: None)
        fill_gradebook(grader, A, {"9001": (6, 4), "9002": (6, 1.5)})
    return course, roster


def export(course, tmp_path, **kwargs):
    with Grader.open(course.path) as grader:
        return export_lms(grader, "canvas", [A], tmp_path / "out" / "canvas.csv", **kwargs)


def test_a_title_other_than_the_notebooks_name_stops_the_export_with_how_to_name_it(
        graded, tmp_path):
    """The roster's only columns are `Lesson 4 - ... (4404)` and a quiz: does the export stop
    (writing nothing Canvas would turn into a new assignment) and say how to name it?"""
    course, _ = graded
    with pytest.raises(Stop) as stop:
        export(course, tmp_path)
    message = str(stop.value)
    for part in (f"has no column titled {A}", repr(TITLE), "--lms-assignment",
                 "c.CanvasExport.assignments", "create a new one"):
        assert part in message, part
    assert not (tmp_path / "out" / "canvas.csv").exists()


@pytest.mark.parametrize("asked", [TITLE, "4404", "Whatever I call it (4404)"])
def test_the_column_asked_for_is_the_rosters_own_title(graded, tmp_path, asked):
    """Named by its title and id, by its id alone, or with the right id and another title:
    is the header the roster's own `Title (id)`, and the points its Points Possible?"""
    course, _ = graded
    done = export(course, tmp_path, titles={A: asked})
    rows = read_csv(done.csv)
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", TITLE]
    assert rows[1] == ["Points Possible", "", "", "", "", "10"]
    assert rows[2:] == [["Doe, Jane", "9002", "S2", "jane@uni.edu", "RNN", "7.5"],
                        ["Smith, Bob", "9001", "S1", "bob@uni.edu", "RNN", "10"]]


def test_the_course_config_names_the_column(graded, tmp_path):
    """Is `c.CanvasExport.assignments` in nbgrader_config.py enough, with no option given?"""
    course, _ = graded
    with open(course.path / "nbgrader_config.py", "a") as config:
        config.write(f"\nc.CanvasExport.assignments = {{{A!r}: {TITLE!r}}}\n")
    assert read_csv(export(course, tmp_path).csv)[0][-1] == TITLE


def test_an_id_the_roster_does_not_list_stops_the_export(graded, tmp_path):
    """An id Canvas's gradebook export does not have (a typo, or an assignment made since):
    does the export stop rather than write a column Canvas would make anew?"""
    course, _ = graded
    with pytest.raises(Stop, match="has no assignment with the id 4405"):
        export(course, tmp_path, titles={A: "Lesson 4 (4405)"})
    with pytest.raises(Stop, match="has no Canvas id"):
        export(course, tmp_path, titles={A: "Lesson 4"})


def test_canvas_points_possible_other_than_the_notebooks_scale_the_scores(tmp_path):
    """The Canvas assignment is worth 20 points, the notebook 10: are the scores scaled, the
    Points Possible row left as Canvas has it, and the scaling said?"""
    course = lms_course(tmp_path / "course", A)
    roster = gradebook_export(tmp_path / "gradebook.csv", points="20")
    archive = zip_files(tmp_path / "s.zip", {canvas_name("smithbob", 9001, 11, f"{A}.ipynb"): NB})
    with Grader.open(course.path) as grader:
        import_class(grader, A, archive, read_roster(roster), say=lambda line: None)
        fill_gradebook(grader, A, {"9001": (6, 1.5)})
        done = export_lms(grader, "canvas", [A], tmp_path / "c.csv", titles={A: "4404"})
    rows = read_csv(done.csv)
    assert rows[1][-1] == "20" and rows[2][-1] == "15"
    assert any("scaled from the notebook's 10 points to the 20 points" in n for n in done.notes)


def test_without_any_roster_the_title_asked_for_is_written_as_given(tmp_path):
    """Imported without a roster: is the asked `Title (id)` the header, with the notebook's
    points, and is the instructor told to check Canvas's points?"""
    course = lms_course(tmp_path / "course", A)
    archive = zip_files(tmp_path / "s.zip", {canvas_name("smithbob", 9001, 11, f"{A}.ipynb"): NB})
    with Grader.open(course.path) as grader:
        import_class(grader, A, archive, say=lambda line: None)
        fill_gradebook(grader, A, {"9001": (6, 4)})
        done = export_lms(grader, "canvas", [A], tmp_path / "c.csv", titles={A: TITLE})
        with pytest.raises(Stop, match="no roster"):
            export_lms(grader, "canvas", [A], tmp_path / "d.csv")
    rows = read_csv(done.csv)
    assert rows[0][-1] == TITLE and rows[1][-1] == "10" and rows[2][1:2] == ["9001"]
    assert any("not known here" in n for n in done.notes)


def test_the_command_line_takes_the_title_and_stops_without_one(graded, tmp_path, capsys):
    """Through `python -m rnncourse.grade --export canvas`: status 2 and the paragraph
    without a title; the file, with `--lms-assignment`?"""
    course, _ = graded
    out = tmp_path / "grades.csv"
    base = [A, "--export", "canvas", str(out), "--course", str(course.path)]
    assert main(base) == 2
    assert "--lms-assignment" in capsys.readouterr().err and not out.exists()
    assert main([*base, "--lms-assignment", TITLE]) == 0
    assert read_csv(out)[0][-1] == TITLE
    assert f"into {TITLE!r}" in capsys.readouterr().out


def test_import_grade_and_export_in_one_command_stops_before_grading(tmp_path, capsys):
    """`--from ... --export canvas` with a roster that does not name the column: does it stop
    right after the import, before a single notebook is graded?"""
    course = lms_course(tmp_path / "course", A)
    roster = gradebook_export(tmp_path / "gradebook.csv")
    archive = zip_files(tmp_path / "s.zip", {canvas_name("smithbob", 9001, 11, f"{A}.ipynb"): NB})
    status = main([A, "--from", str(archive), "--roster", str(roster), "--export", "canvas",
                   str(tmp_path / "out.csv"), "--course", str(course.path), "--no-progress"])
    assert status == 2 and "--lms-assignment" in capsys.readouterr().err
    assert (course.path / "submitted" / "9001" / A / f"{A}.ipynb").is_file()
    assert not (course.path / ".grading" / "graded").exists()
    assert not (tmp_path / "out.csv").exists()
