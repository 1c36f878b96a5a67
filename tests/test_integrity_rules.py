"""The pieces that keep grades honest, checked on their own (the pipeline tests grade with them).

* the course's config grades with the guarded, sandboxed Execute step, stderr is output;
* the feedback never shows a hidden test;
* every lesson's course cells obey the rules the guarded kernel relies on (a lint that holds
  for lessons added later too);
* the kernel's snapshot puts back monkey-patched library functions.
"""

from __future__ import annotations

import ast
import builtins

import nbformat
import pytest
from traitlets.config.loader import PyFileConfigLoader

from rnncourse.course import REPO, notebook_path
from rnncourse.kernel_guard import Snapshot, bound_names
from rnncourse.nbgrader_steps import HIDDEN_NOTE, StderrIsOutput, without_hidden_tests
from rnncourse.notebooks import (
    grade_id,
    is_answer_cell,
    is_test_cell,
    read_notebook,
    strip_markers,
)

from .conftest import ASSIGNMENTS


def config():
    return PyFileConfigLoader("nbgrader_config.py", path=str(REPO)).load_config()


def test_autograde_runs_the_guarded_step_and_never_ignores_by_pattern():
    """Does the course's config grade with GuardedExecute, with stderr kept as output?"""
    steps = list(config().Autograde.autograde_preprocessors)
    assert steps[0] == "rnncourse.guarded_execute.GuardedExecute"
    assert "rnncourse.nbgrader_steps.StderrIsOutput" in steps
    assert not any("IgnorePattern" in str(step) or step.endswith(".Execute") for step in steps)
    assert "run_student_code_unsandboxed" not in config().GradingSandbox
    feedback = list(config().GenerateFeedback.preprocessors)
    assert "rnncourse.nbgrader_steps.HideHiddenTests" in feedback


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
def test_course_cells_follow_the_rules_for_hidden_tests(name):
    """Do test cells read only course and task names, and bind no name the notebook defines?

    The guarded kernel runs locked and test cells as plain Python in namespaces of their own;
    a test cell that assigned a student's name would still clobber it in Colab, and one that
    read a name no course or answer cell binds would depend on what the student left behind.
    """
    nb = read_notebook(notebook_path("source", name))
    course, answers = set(dir(builtins)), set()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if not (meta.get("locked") or is_answer_cell(cell)):
            continue
        try:
            tree = ast.parse(strip_markers(cell.source))
        except SyntaxError as err:
            pytest.fail(f"{name}: cell {grade_id(cell)} is not plain Python: {err}")
        if is_answer_cell(cell):
            answers |= bound_names(tree)
            continue
        if is_test_cell(cell):
            own = {n.id for n in ast.walk(tree)
                   if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
            own |= {a.arg for n in ast.walk(tree) if isinstance(n, ast.arguments)
                    for a in [*n.posonlyargs, *n.args, *n.kwonlyargs, n.vararg, n.kwarg] if a}
            own |= {n.name for n in ast.walk(tree)
                    if isinstance(n, (ast.FunctionDef, ast.ClassDef))} | bound_names(tree)
            read = {n.id for n in ast.walk(tree)
                    if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
            unknown = read - own - course - answers
            assert not unknown, f"{name}: {grade_id(cell)} reads {sorted(unknown)}"
            clobbered = bound_names(tree) & (answers | course - set(dir(builtins)))
            assert not clobbered, f"{name}: {grade_id(cell)} rebinds {sorted(clobbered)}"
            continue
        course |= bound_names(tree)


def test_snapshot_puts_back_patched_functions_and_reports_them():
    """Does the kernel's snapshot list and undo a patch of numpy, math and builtins?"""
    import math

    import numpy as np

    real = np.allclose, math.isclose, builtins.abs
    snapshot = Snapshot()
    try:
        np.allclose = lambda *args, **kwargs: True
        math.isclose = lambda *args, **kwargs: True
        builtins.abs = lambda value: 0
        changed = snapshot.changes()
        assert {"numpy.allclose", "math.isclose", "builtins.abs"} <= set(changed)
        snapshot.restore()
        assert (np.allclose, math.isclose, builtins.abs) == real
        assert snapshot.changes() == []
    finally:
        np.allclose, math.isclose, builtins.abs = real
