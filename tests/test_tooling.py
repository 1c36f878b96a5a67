"""Does the instructor tooling fail clearly on bad input, and keep grading the rest?"""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys

import nbformat
import pytest

from rnncourse.course.build import first_error
from rnncourse.course.demo import CHOSEN
from rnncourse.engine.course_folder import AssignmentError, require_assignments
from rnncourse.engine.nbgrader_run import nbgrader_env
from rnncourse.engine.notebooks import NotebookError, merge_streams, read_notebook
from testing import REPO, known_class
from testing.known_class import KnownClassError
from testing.plain_grader import PlainCourse
from testing.variants import Patch, mutant

from .helpers import VARIANTS, known


@pytest.mark.unit
@pytest.mark.parametrize(
    "content, problem",
    [
        (b'{"cells": [{"cell_type": "code", "sou', "not valid JSON"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "cannot be read"),
        (b'{"cells": "none", "metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
         "not a valid notebook"),
    ],
)
def test_unreadable_notebook_names_the_file_and_the_problem(tmp_path, content, problem):
    """Is a broken .ipynb reported with its path and what is wrong with it?"""
    path = tmp_path / "student" / "01_simple_rnn.ipynb"
    path.parent.mkdir()
    path.write_bytes(content)
    with pytest.raises(NotebookError) as err:
        read_notebook(path)
    assert str(path) in str(err.value) and problem in str(err.value)


@pytest.mark.unit
def test_missing_notebook_is_named(tmp_path):
    with pytest.raises(NotebookError, match="no such notebook"):
        read_notebook(tmp_path / "absent.ipynb")


@pytest.mark.unit
def test_unknown_assignment_lists_the_known_ones():
    """Does asking for an assignment that does not exist say which ones do?"""
    with pytest.raises(AssignmentError) as err:
        require_assignments(["99_no_such_lesson"], REPO)
    assert "99_no_such_lesson" in str(err.value) and "01_simple_rnn" in str(err.value)


@pytest.mark.unit
@pytest.mark.parametrize("module", ["rnncourse.course.demo", "rnncourse.course.build release"])
def test_command_line_rejects_an_unknown_assignment(module):
    """Do the commands exit with status 2 and one clear line for a missing assignment?"""
    cmd = [sys.executable, "-m", *module.split(), "99_no_such_lesson"]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=120)
    assert done.returncode == 2
    assert "no assignment '99_no_such_lesson'" in done.stderr


@pytest.mark.unit
def test_a_solutions_build_names_the_cell_that_failed():
    """Does the solutions build find the failing cell that nbgrader recorded and went past?"""
    new = nbformat.v4
    notebook = new.new_notebook(cells=[
        new.new_markdown_cell("# A lesson"),
        new.new_code_cell("x = 1", outputs=[]),
        new.new_code_cell("print(DEVICE)", outputs=[new.new_output(
            "error", ename="NameError", evalue="name 'DEVICE' is not defined", traceback=[])]),
    ])
    assert first_error(notebook).startswith("code cell 2 (")
    assert first_error(notebook).endswith("raised NameError: name 'DEVICE' is not defined")
    notebook.cells.pop()
    assert first_error(notebook) is None


@pytest.mark.unit
def test_stale_mutant_patch_is_an_error():
    """Does a mutant whose patch no longer matches the solution fail loudly, not silently?"""
    les = known("01_simple_rnn")  # whatever RNN_COURSE_ONLY selects
    stale = mutant("stale", "patch text that is not in the solution", {"test_copy_weights"},
                   Patch("copy_weights", old="this line is not there", new=""))
    release = read_notebook(REPO / "release" / "01_simple_rnn" / "01_simple_rnn.ipynb")
    from rnncourse.course.submissions import perfect_submission

    with pytest.raises(ValueError, match="occurs 0 times"):
        stale.apply(perfect_submission(les.source, release))


@pytest.mark.unit
def test_unknown_known_student_names_the_assignment_the_file_and_the_class():
    """Does asking for a student the known class lacks say where the names come from?"""
    lesson = known("01_simple_rnn")
    release = read_notebook(REPO / "release" / "01_simple_rnn" / "01_simple_rnn.ipynb")
    with pytest.raises(KnownClassError) as err:
        lesson.students(release, ["perfect", "mutant_no_such_bug"])
    for part in ("01_simple_rnn has no known student 'mutant_no_such_bug'",
                 "tests/variants/01_simple_rnn.py", "corrupt_upload", "mutant_tanh_activation"):
        assert part in str(err.value)


@pytest.mark.unit
def test_variants_file_without_demo_is_named(tmp_path):
    """Does a lesson whose variants file chooses no demo students fail with the file's name?"""
    lesson = known("01_simple_rnn")
    bare = tmp_path / "01_simple_rnn.py"
    bare.write_text("MUTANTS = []\nALTERNATIVES = []\n")
    expected = re.escape(str(bare)) + " must set DEMO .*; it has no DEMO"
    with pytest.raises(KnownClassError, match=expected):
        dataclasses.replace(lesson, variants_file=bare).demo(CHOSEN)


@pytest.mark.unit
def test_alternative_named_like_a_generated_one_is_an_error(tmp_path):
    """Can a hand-written alternative hide a generated one by taking its name? It must not."""
    real = VARIANTS / "01_simple_rnn.py"
    (tmp_path / "01_simple_rnn.py").write_text(
        "from testing.variants import Patch, alternative, load_variants\n"
        f"MUTANTS, ALTERNATIVES = load_variants({str(real)!r})\n"
        "ALTERNATIVES.append(alternative('noisy_debugging', 'prints', Patch('rnn_layer', 'x')))\n")
    with pytest.raises(KnownClassError, match="noisy_debugging have the names of generated"):
        known_class.load("01_simple_rnn", REPO, tmp_path)


def test_demo_grades_its_class_and_reports_the_broken_upload(tmp_path):
    """Does the demo grade its class with the grading command, name the unreadable upload,
    and write CSV, HTML and the report?

    The demo runs in an interpreter of its own, as from the command line: its worker pool and
    progress bar then never share this process's captured streams.
    """
    name = "01_simple_rnn"
    PlainCourse.scratch(tmp_path, [name]).generate(name)
    script = ("import sys; from pathlib import Path; from rnncourse.course import demo; "
              "sys.exit(demo.run([sys.argv[1]], root=Path(sys.argv[2])))")
    done = subprocess.run([sys.executable, "-c", script, name, str(tmp_path)],
                          capture_output=True, text=True, cwd=REPO, timeout=1200,
                          env=nbgrader_env())
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    assert re.search(r"^perfect\s+10/10", out, re.M), out
    assert re.search(r"^blank\s+0/10", out, re.M), out
    assert re.search(r"^raises_everywhere\s+0/10", out, re.M), out
    assert re.search(r"^corrupt_upload\s+not graded", out, re.M), out
    assert "corrupt_upload/01_simple_rnn/01_simple_rnn.ipynb: not valid JSON" in out
    assert "python -m rnncourse.grade 01_simple_rnn" in out
    assert re.search(r"^Graded 6 submissions", out, re.M), out
    assert (tmp_path / "reports" / f"{name}.png").is_file()
    rows = (tmp_path / "grades.csv").read_text().splitlines()
    assert rows[0].startswith("assignment,") and len(rows) == 1 + 6
    assert (tmp_path / "feedback" / "perfect" / name / f"{name}.html").is_file()


@pytest.mark.unit
def test_tooling_code_is_ruff_clean():
    """Is the Python code (tooling, tests, config) clean by the project's ruff rules?"""
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "rnncourse", "testing", "tests",
         "nbgrader_config.py", "scripts", *(p for p in ["benchmarks"] if (REPO / p).is_dir())],
        capture_output=True, text=True, cwd=REPO,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.unit
def test_conda_environment_pins_what_pip_pins():
    """Does environment.yml install exactly the pinned versions of requirements.txt?"""
    def pins(lines):
        return sorted(ln.strip().lstrip("- ").strip() for ln in lines if "==" in ln and
                      not ln.strip().startswith("#"))

    pip_pins = pins((REPO / "requirements.txt").read_text().splitlines())
    conda_pins = pins((REPO / "environment.yml").read_text().splitlines())
    assert pip_pins and conda_pins == pip_pins
    assert "python=3.11" in (REPO / "environment.yml").read_text()


@pytest.mark.unit
def test_merge_streams_joins_runs_of_one_stream_only():
    """Are split stdout chunks joined, while stderr, displays and their order stay apart?"""
    new = nbformat.v4
    cell = new.new_code_cell("print('a'); print('b')", outputs=[
        new.new_output("stream", name="stdout", text="a\n"),
        new.new_output("stream", name="stdout", text="b\n"),
        new.new_output("stream", name="stderr", text="warn\n"),
        new.new_output("display_data", data={"text/plain": "plot"}),
        new.new_output("stream", name="stdout", text="c\n"),
        new.new_output("stream", name="stdout", text="d\n"),
    ])
    nb = merge_streams(new.new_notebook(cells=[cell, new.new_markdown_cell("text")]))
    outputs = nb.cells[0].outputs
    assert [(o.output_type, o.get("name"), o.get("text")) for o in outputs] == [
        ("stream", "stdout", "a\nb\n"), ("stream", "stderr", "warn\n"),
        ("display_data", None, None), ("stream", "stdout", "c\nd\n")]
    assert "outputs" not in nb.cells[1]
