"""The pieces that keep grades honest, checked on their own (the pipeline tests grade with them).

* the course's config grades with the judged, sandboxed Execute step, stderr is output;
* the feedback never shows a hidden test;
* every lesson's course cells keep every verdict in the judge (rnncourse.engine.probe_lint, a lint
  that holds for lessons added later too), and the lint catches each way of breaking that;
* the review of a submission's own code lists every cheat and no correct solution;
* every shared helper is written once and every notebook's copy matches it.
"""

from __future__ import annotations

import ast

import nbformat
import pytest
from traitlets.config.loader import PyFileConfigLoader

from rnncourse.course import shared_cells
from rnncourse.engine import probe_lint, review_flags
from rnncourse.engine.channel import bound_names
from rnncourse.engine.course_folder import notebook_path
from rnncourse.engine.notebooks import grade_id, read_notebook
from rnncourse.engine.preprocessors import HIDDEN_NOTE, StderrIsOutput, without_hidden_tests
from testing import REPO

from .helpers import ASSIGNMENTS, LESSONS


def config():
    return PyFileConfigLoader("nbgrader_config.py", path=str(REPO)).load_config()


def test_autograde_runs_the_judged_step_and_never_ignores_by_pattern():
    """Does the course's config grade with JudgedExecute, with stderr kept as output?"""
    steps = list(config().Autograde.autograde_preprocessors)
    assert steps[0] == "rnncourse.engine.judged_execute.JudgedExecute"
    assert "rnncourse.engine.preprocessors.StderrIsOutput" in steps
    assert not any("IgnorePattern" in str(step) or step.endswith(".Execute") for step in steps)
    assert "run_student_code_unsandboxed" not in config().GradingSandbox
    feedback = list(config().GenerateFeedback.preprocessors)
    assert "rnncourse.engine.preprocessors.HideHiddenTests" in feedback


def test_stderr_of_a_test_cell_becomes_ordinary_output():
    """Is a test cell's stderr kept, as stdout, while other cells are left alone?"""
    new = nbformat.v4
    test = new.new_code_cell("check()", metadata={"nbgrader": {
        "grade": True, "grade_id": "t", "points": 1, "solution": False, "locked": True}},
        outputs=[new.new_output("stream", name="stderr", text="debug: shape (2, 3)\n"),
                 new.new_output("stream", name="stdout", text="ok\n")])
    answer = new.new_code_cell("x = 1", outputs=[
        new.new_output("stream", name="stderr", text="warning\n")])
    nb = new.new_notebook(cells=[test, answer])
    StderrIsOutput().preprocess(nb, {})
    assert [(o.name, o.text) for o in test.outputs] == [
        ("stdout", "debug: shape (2, 3)\n"), ("stdout", "ok\n")]
    assert answer.outputs[0].name == "stderr"


def test_feedback_source_keeps_the_visible_part_only():
    """Does the feedback's copy of a test cell lose every hidden block, keeping the rest?"""
    source = ('"""Check it"""\nassert f(1) == 1\n### BEGIN HIDDEN TESTS\nassert f(2) == 4\n'
              "### END HIDDEN TESTS\nassert f(0) == 0\n    ### BEGIN HIDDEN TESTS\n    x\n"
              "    ### END HIDDEN TESTS")
    assert without_hidden_tests(source).splitlines() == [
        '"""Check it"""', "assert f(1) == 1", HIDDEN_NOTE, "assert f(0) == 0",
        "    " + HIDDEN_NOTE]


def test_bound_names_sees_every_kind_of_binding():
    """Does the kernel know every name a cell binds at its top level (and none inside defs)?"""
    tree = ast.parse(
        "import numpy as np\nimport os.path\nfrom math import pi\na, (b, c) = 1, (2, 3)\n"
        "d += 1\ne: int = 2\nfor f in []: g = 1\nwith open('x') as h: pass\n"
        "try:\n    i = 1\nexcept OSError as j:\n    k = 2\n"
        "def l(m):\n    n = 1\nclass o:\n    p = 1\nif (q := 3): r = 4\n")
    assert bound_names(tree) == set("abcdefghijkloqr") | {"np", "os", "pi"}


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_course_cells_keep_every_verdict_in_the_judge(name):
    """Do the lesson's locked and test cells follow the judge's rules (rnncourse.engine.probe_lint)?

    Locked cells read only locked names; probes read only their arguments, locked and answer
    names and never assert; the rest of a test cell never reads a student's name, rebinds no
    course or answer name and calls a probe.
    """
    assert probe_lint.problems(read_notebook(notebook_path("source", name, REPO))) == []


def _notebook(*cells):
    new = nbformat.v4
    made = []
    for kind, source in cells:
        meta = {"grade_id": f"c{len(made)}", "schema_version": 3, "task": False,
                "locked": kind != "answer", "solution": kind == "answer", "grade": kind == "test"}
        if kind == "test":
            meta["points"] = 1
        made.append(new.new_code_cell(source, metadata={"nbgrader": meta}))
    return new.new_notebook(cells=made)


LOCKED = ("locked", "import numpy as np\n\ndef probe(f):\n    return f\n")
ANSWER = ("answer", "def double(x):\n    return 2 * x\n")
GOOD = ("test", '@probe\ndef doubled(x):\n    return double(x)\n\n\n'
                'assert np.allclose(doubled(np.ones(2)), 2)\n')


@pytest.mark.parametrize("cells, broken", [
    ([LOCKED, ANSWER, GOOD], None),
    ([LOCKED, ANSWER, ("test", "assert double(1) == 2\n")], "reads the student's ['double']"),
    ([LOCKED, ANSWER, ("test", "x = 1\n")], "calls no probe"),
    ([LOCKED, ANSWER, ("test", "@probe\ndef d(x):\n    assert double(x) == 2\n\n\nd(1)\n")],
     "probe d asserts"),
    ([LOCKED, ANSWER, ("test", "LIMIT = 2\n\n@probe\ndef d(x):\n    return double(x) < "
                               "LIMIT\n\n\nassert d(1)\n")], "probe d reads ['LIMIT']"),
    ([LOCKED, ANSWER, ("test", "def helper():\n    @probe\n    def d(x):\n        return x"
                               "\n    return d\n\n\nhelper()(1)\n")], "is marked as a probe"),
    ([LOCKED, ANSWER, ("test", GOOD[1] + "double = None\n")], "rebinds ['double']"),
    ([LOCKED, ANSWER, ("locked", "y = double(3)\n"), GOOD], "a locked cell reads ['double']"),
    ([LOCKED, ANSWER, ("test", "%timeit doubled(1)\n")], "not plain Python"),
], ids=["rules-kept", "judge-reads-student", "no-probe", "probe-asserts", "probe-reads-judge",
        "nested-probe", "rebinds-answer", "locked-reads-student", "magic"])
def test_the_rules_catch_each_way_of_breaking_them(cells, broken):
    """Does the lint name each way a course cell could put a verdict back in the student's
    process, and pass a cell that keeps the rules?"""
    found = probe_lint.problems(_notebook(*cells))
    if broken is None:
        assert found == []
    else:
        assert any(broken in line for line in found), found


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_every_cheat_is_flagged_for_review_and_no_alternative_is(name):
    """Does the review of a submission's own code list every generated cheat, and never a
    correct solution (perfect, alternatives), for the instructor to look at?"""
    lesson = LESSONS[name]
    release = read_notebook(notebook_path("release", name, REPO))
    course_ids = {grade_id(cell) for cell in lesson.source.cells
                  if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("locked")}
    rules = lesson.source.metadata.get("rnncourse", {}).get("write_yourself", {})
    honest = ["perfect", *(f"alt_{v.name}" for v in lesson.alternatives + lesson.fair)]
    cheats = [f"cheat_{v.name}" for v in lesson.cheats]
    students = lesson.students(release, honest + cheats)
    flags = {s: review_flags.scan(nb, course_ids, rules) for s, nb in students.items()}
    assert {s: f for s, f in flags.items() if s in honest and f} == {}
    assert [s for s in cheats if not flags[s]] == []


def test_every_copy_of_a_shared_helper_matches_its_one_definition():
    """Is each helper the lessons share written once, with every notebook's copy up to date?"""
    assert shared_cells.sync(REPO, write=False) == [], (
        "run `python -m rnncourse.course.shared_cells`")
    blocks = shared_cells.blocks()
    for name in ("plain", "probe", "check_shape", "random_inputs", "random_inputs/torch"):
        assert name in blocks
    for lesson in ASSIGNMENTS:
        nb = read_notebook(notebook_path("source", lesson, REPO))
        text = "\n".join(c.source for c in nb.cells)
        assert shared_cells.BEGIN in text, f"{lesson} holds no shared helpers"


def test_a_titled_cell_is_folded_and_a_cell_of_shared_helpers_must_have_a_title():
    """Does the sync fold a `#@title` cell for Colab and Jupyter alike, leave an untitled cell
    alone, and refuse a cell of shared helpers that would show unfolded?"""
    titled = nbformat.v4.new_code_cell("#@title The helpers\nx = 1")
    assert shared_cells.fold(titled, "here") is True
    assert titled.metadata["cellView"] == "form"
    assert titled.metadata["jupyter"] == {"source_hidden": True}
    assert shared_cells.fold(titled, "here") is False, "folding twice should change nothing"
    plain = nbformat.v4.new_code_cell("x = 1")
    assert shared_cells.fold(plain, "here") is False and "cellView" not in plain.metadata
    bare = nbformat.v4.new_code_cell(f"{shared_cells.BEGIN} probe\n{shared_cells.END}")
    with pytest.raises(ValueError, match=r"lesson 42, imports: .*#@title"):
        shared_cells.fold(bare, "lesson 42, imports")
