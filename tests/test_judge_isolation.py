"""Does the judge never run a line of a submission? A canary student, graded for real.

The canary's first answer cell plants traces in whatever process runs it: a name in
`builtins`, a variable in the environment, and a string of its own in its source. The class is
graded by the recording judge (testing/judge_audit.py, Python's audit hooks), which records every
piece of source the judge compiles and the judge's builtins and environment after every
request. The canary's code ran (its output is in its graded notebook) and the checks ran in the
judge (their hidden lines are in the record), but nothing of the canary's is.
"""

from __future__ import annotations

import copy
import json
import sys

import pytest

from rnncourse.engine.course_folder import notebook_path
from rnncourse.engine.notebooks import is_answer_cell, read_notebook
from testing.plain_grader import PlainCourse

from .helpers import LESSONS, hidden_lines

NAME = "04_torch_basic_rnn"
pytestmark = pytest.mark.lesson(NAME)
CANARY = "canary-of-the-judge-test-7c1e9"
PLANTS = f'''import builtins as _canary_builtins
import os as _canary_os

_canary_builtins.judge_canary = {CANARY!r}
_canary_os.environ["JUDGE_CANARY"] = {CANARY!r}
print("canary planted in process", _canary_os.getpid())


'''


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("isolation")
    audit = workdir / "judge-audit.jsonl"
    course = PlainCourse.scratch(workdir / "course", [NAME])
    release = course.generate(NAME)
    students = LESSONS[NAME].students(release, ["perfect"])
    canary = copy.deepcopy(students["perfect"])
    first = next(cell for cell in canary.cells if is_answer_cell(cell))
    first.source = PLANTS + first.source
    course.submit(NAME, "perfect", students["perfect"])
    course.submit(NAME, "canary", canary)
    with open(course.path / "nbgrader_config.py", "a") as config:
        config.write(f"\nc.JudgedExecute.judge_command = "
                     f"{[sys.executable, '-m', 'testing.judge_audit', str(audit)]!r}\n")
    problems = course.autograde(NAME)
    records = [json.loads(line) for line in audit.read_text().splitlines()]
    return course, problems, records


def test_the_canary_ran_in_its_kernel_and_kept_its_marks(audited):
    """Did the canary's code run where the student's code runs, and was it graded in full?"""
    course, problems, _ = audited
    assert problems == {}
    scores = course.scores(NAME)
    assert all(cell.passed for cell in scores["canary"].values())
    nb = read_notebook(notebook_path("autograded", NAME, course.path, "canary"))
    first = next(cell for cell in nb.cells if is_answer_cell(cell))
    printed = "".join(o.get("text", "") for o in first.outputs)
    assert "canary planted in process" in printed, first.outputs


def test_the_judge_compiled_the_checks_and_nothing_of_the_canary(audited):
    """Does the judge's audit show the hidden checks compiled there, and no canary code?"""
    _, _, records = audited
    sources = [r["source"] for r in records if r["event"] == "compile" and r["source"]]
    hidden = hidden_lines(LESSONS[NAME].source)
    assert any(line in source for line in hidden for source in sources), (
        "the audit saw none of the checks: it proves nothing")
    assert not [s for s in sources if CANARY in s or "canary planted" in s]
    assert not [r for r in records if r["event"] == "exec" and "ipykernel" in r["filename"]]


def test_the_canary_left_no_trace_in_the_judge(audited):
    """Are the canary's builtin and environment variable absent from the judge throughout?"""
    _, _, records = audited
    states = [r for r in records if r["event"] == "state"]
    assert len(states) > 5, "the audit recorded the judge's state too rarely to tell"
    assert all("judge_canary" not in r["builtins"] for r in states)
    assert all("JUDGE_CANARY" not in r["environ"] for r in states)
