"""The grading command's pieces on their own (rnncourse.grading): submission checks, the resume
records, the plan's order, the report's table, the course's lock, and a run that cannot start.

Nothing here grades a notebook; the whole command is tested in tests/test_grade_command.py.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

from rnncourse import grade
from rnncourse.course import demo
from rnncourse.engine.course_folder import course_id
from rnncourse.grading.kits import empty_gradebook
from rnncourse.grading.plan import Plan, check_submission, expected_cost, ordered_tasks
from rnncourse.grading.problems import Problem, Stop
from rnncourse.grading.records import (
    graded_seconds,
    read_record,
    record_path,
    replace_folder,
    up_to_date,
    write_files,
)
from rnncourse.grading.report import Check, docstring, format_checks
from rnncourse.grading.session import STATE, Grader
from rnncourse.grading.submission import AssignmentKit, Submission
from testing import REPO
from testing.plain_grader import PlainCourse

pytestmark = pytest.mark.unit


def notebook(*grade_ids: str) -> bytes:
    """A small valid notebook whose cells carry these grade ids."""
    nb = nbformat.v4.new_notebook()
    for gid in grade_ids:
        cell = nbformat.v4.new_code_cell("pass")
        cell.metadata["nbgrader"] = {"grade_id": gid, "grade": True, "solution": False,
                                     "locked": True, "points": 1, "schema_version": 3}
        nb.cells.append(cell)
    return nbformat.writes(nb).encode()


def folder_with(tmp_path: Path, files: dict[str, bytes]) -> tuple[Path, dict[str, bytes]]:
    folder = tmp_path / "submitted" / "ada" / "lesson"
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder, files


EXPECTED = {"lesson": {"test_a", "test_b"}}


def test_a_complete_submission_can_be_graded(tmp_path):
    folder, files = folder_with(tmp_path, {"lesson.ipynb": notebook("test_a", "test_b"),
                                           "data/extra.csv": b"1,2\n"})
    assert check_submission(folder, files, EXPECTED) is None


@pytest.mark.parametrize("files, where, reason", [
    ({}, "", "no notebook in the student's folder (it is empty); expected lesson.ipynb"),
    ({"notes.txt": b"on paper"}, "", "(it holds notes.txt)"),
    ({"Copy of lesson.ipynb": notebook("test_a", "test_b")}, "Copy of lesson.ipynb",
     "wrong name: nbgrader grades only lesson.ipynb; found Copy of lesson.ipynb"),
    ({"lesson.ipynb": b'{"cells": ['}, "lesson.ipynb", "not valid JSON"),
    ({"lesson.ipynb": notebook("test_a")}, "lesson.ipynb",
     "lost their nbgrader metadata: no cell carries the grade id(s) test_b"),
])
def test_a_submission_nbgrader_cannot_grade_is_named_with_its_file(tmp_path, files, where,
                                                                   reason):
    folder, files = folder_with(tmp_path, files)
    path, why = check_submission(folder, files, EXPECTED)
    assert path == folder / where if where else path == folder
    assert reason in why


def kit(fingerprint: str = "cells-1") -> AssignmentKit:
    return AssignmentKit("lesson", "course", b"", {}, b"", fingerprint)


def graded_course(tmp_path: Path, sub: Submission, cells: str = "cells-1") -> Path:
    """A course folder in which `sub` was graded: its record and its results in place."""
    state = tmp_path / STATE
    record = record_path(state, "lesson", sub.student)
    record.parent.mkdir(parents=True)
    record.write_text(json.dumps({"submission": sub.digest, "cells": cells, "seconds": 4.0}))
    for folder, suffix in (("autograded", ".ipynb"), ("feedback", ".html")):
        path = tmp_path / folder / sub.student / "lesson" / f"lesson{suffix}"
        path.parent.mkdir(parents=True)
        path.write_text("x")
    return state


def test_a_submission_is_skipped_only_when_graded_unchanged_with_its_results_in_place(tmp_path):
    sub = Submission("ada", {"lesson.ipynb": b"answers"})
    state = graded_course(tmp_path, sub)
    assert up_to_date(tmp_path, state, kit(), sub, in_gradebook=True)
    assert not up_to_date(tmp_path, state, kit(), sub, in_gradebook=False)
    assert not up_to_date(tmp_path, state, kit("cells-2"), sub, in_gradebook=True)
    changed = Submission("ada", {"lesson.ipynb": b"other answers"})
    assert not up_to_date(tmp_path, state, kit(), changed, in_gradebook=True)
    (tmp_path / "feedback" / "ada" / "lesson" / "lesson.html").unlink()
    assert not up_to_date(tmp_path, state, kit(), sub, in_gradebook=True)


def test_unreadable_records_count_as_not_graded(tmp_path):
    folder = tmp_path / STATE / "graded" / "lesson"
    folder.mkdir(parents=True)
    (folder / "ada.json").write_text("{not json")
    (folder / "bo.json").write_text(json.dumps({"seconds": "soon"}))
    (folder / "cy.json").write_text(json.dumps({"seconds": 7.5}))
    assert read_record(folder / "ada.json") is None
    assert read_record(folder / "nobody.json") is None
    assert graded_seconds(tmp_path / STATE, "lesson") == [7.5]


def test_tasks_start_with_the_costliest_assignment(tmp_path):
    for name, code in (("short", "x = 1"), ("long", "x = 1\n" * 50)):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
        path = tmp_path / "source" / name / f"{name}.ipynb"
        path.parent.mkdir(parents=True)
        nbformat.write(nb, path)
    state = tmp_path / STATE
    cost = expected_cost(tmp_path, state, ["short", "long"])
    assert cost["long"] > cost["short"], "no records yet: the length of the code decides"
    for name, seconds in (("short", 30.0), ("long", 2.0)):
        record = record_path(state, name, "ada")
        record.parent.mkdir(parents=True)
        record.write_text(json.dumps({"seconds": seconds}))
    cost = expected_cost(tmp_path, state, ["short", "long"])
    assert cost == {"short": 30.0, "long": 2.0}, "records of every assignment: their seconds"
    plans = [Plan(name, AssignmentKit(name, "c", b"", {}, b"", ""),
                  todo=[Submission(s, {}) for s in ("ada", "bo")]) for name in ("long", "short")]
    order = [(k.assignment, s.student) for k, s in ordered_tasks(plans, cost)]
    assert order == [("short", "ada"), ("short", "bo"), ("long", "ada"), ("long", "bo")]


def test_results_are_written_inside_their_folder_only(tmp_path):
    write_files(tmp_path / "new", {"a/b.txt": b"1"}, 0o444)
    assert (tmp_path / "new" / "a" / "b.txt").read_bytes() == b"1"
    assert not os.access(tmp_path / "new" / "a" / "b.txt", os.W_OK) or os.geteuid() == 0
    with pytest.raises(ValueError, match="outside"):
        write_files(tmp_path / "new", {"../escape.txt": b"x"}, 0o644)
    target = tmp_path / "target"
    (target / "old.txt").parent.mkdir()
    (target / "old.txt").write_text("old")
    replace_folder(target, tmp_path / "new")
    assert sorted(p.name for p in target.iterdir()) == ["a"]
    assert not (tmp_path / "new").exists()


def test_docstring_is_the_first_line_without_quotes():
    assert docstring('"""Check the bias"""\nassert x') == "Check the bias"
    assert docstring("\n\n'''Check the loop'''") == "Check the loop"
    assert docstring("assert x == 1") == "assert x == 1"
    assert docstring(None) == docstring("") == ""


def test_report_table_lists_every_check_with_its_pass_rate():
    checks = [Check("test_loop", 2, "Check the loop", 1, 4),
              Check("test_bias", 1.5, "Check the bias", 3, 4)]
    lines = format_checks("lesson", checks).splitlines()
    assert lines[0] == "lesson: checks, the most failed first (4 graded submissions)"
    assert lines[1].split() == ["passed", "points", "check", "what", "it", "checks"]
    assert lines[2].split() == ["25%", "2", "test_loop", "Check", "the", "loop"]
    assert lines[3].split() == ["75%", "1.5", "test_bias", "Check", "the", "bias"]
    assert Check("t", 1, "", 0, 0).share == 0.0
    assert format_checks("lesson", []).startswith("lesson: checks, the most failed first (0 ")


def test_a_problem_names_the_assignment_the_student_and_the_file():
    problem = Problem("lesson", "ada", Path("submitted/ada/lesson"), "no notebook")
    assert problem.line() == "NOT GRADED lesson · ada: submitted/ada/lesson: no notebook"
    assert Problem("lesson", "", Path("x"), "y").line() == "NOT GRADED lesson: x: y"


def scratch_course(tmp_path: Path) -> Path:
    """A course folder with the course's config and an empty gradebook (made once: a new
    gradebook costs nbgrader an `alembic` run)."""
    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(REPO / "nbgrader_config.py", course / "nbgrader_config.py")
    (course / "gradebook.db").write_bytes(empty_gradebook(course_id(REPO)))
    return course


def test_the_course_is_held_by_one_grader_at_a_time(tmp_path):
    course = scratch_course(tmp_path)
    (course / STATE / "incoming" / "half-written").mkdir(parents=True)
    with Grader.open(course) as grader:
        assert grader.root == course.resolve() and grader.db.endswith("gradebook.db")
        assert not (course / STATE / "incoming").exists(), "what a killed run staged is gone"
        with pytest.raises(Stop, match="another grading command is running"), \
                Grader.open(course):
            pass
    with Grader.open(course):  # released when the block ends
        pass


def test_a_folder_that_is_no_course_stops_with_the_reason(tmp_path):
    with pytest.raises(Stop, match="no nbgrader_config.py"), Grader.open(tmp_path):
        pass


@pytest.fixture
def no_bubblewrap(monkeypatch):
    """PATH with this Python environment only, as on a machine without bubblewrap."""
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent))


def test_a_run_without_the_sandbox_says_why_once_and_grades_nothing(tmp_path, capsys,
                                                                     no_bubblewrap):
    course = scratch_course(tmp_path)
    (course / "submitted" / "ada" / "lesson").mkdir(parents=True)
    assert grade.main(["lesson", "--course", str(course), "--no-progress"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("error:") == 1 and "bubblewrap (`bwrap`) is not installed" in err
    assert "apt-get install bubblewrap" in err and "NOT GRADED" not in err


def test_the_demo_without_the_sandbox_stops_before_handing_anything_in(tmp_path, capsys,
                                                                        no_bubblewrap):
    course = PlainCourse.scratch(tmp_path / "course", ["01_simple_rnn"])
    assert demo.run(["01_simple_rnn"], root=course.path) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1
    assert "grading sandbox" in err and "apt-get install bubblewrap" in err
    assert "Nothing was handed in or graded" in err
    assert not (course.path / "submitted").exists()
