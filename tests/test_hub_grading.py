"""Does the formgrader's Autograde button refuse to grade, with the sandbox's one message, where
no sandbox can be made in the instructor's server?

The button calls nbgrader's `NbGraderAPI.autograde` inside the instructor's Jupyter server,
with the course's `nbgrader_config.py` (so the course's grader, `GuardedExecute`). This runs
that very call, the API built as the formgrader builds it, in a process whose PATH has no
bubblewrap, as in a server whose image lacks it.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from rnncourse.engine.sandbox import INSTALL_HINT
from testing.plain_grader import PlainCourse

pytestmark = pytest.mark.lesson("01_simple_rnn")

ASSIGNMENT = "01_simple_rnn"
FORMGRADER_CALL = """
import json, sys
from nbgrader.apps import NbGrader
from nbgrader.apps.api import NbGraderAPI
from nbgrader.auth import Authenticator
from nbgrader.coursedir import CourseDirectory

app = NbGrader()
app.load_config_file()
coursedir = CourseDirectory(parent=app)
api = NbGraderAPI(coursedir, Authenticator(parent=app), parent=app)
print(json.dumps(api.autograde(sys.argv[1], sys.argv[2])))
"""


def test_the_autograde_button_grades_nothing_without_a_sandbox(tmp_path):
    """Does the button's call fail with the sandbox's message and leave no graded notebook?"""
    course = PlainCourse.scratch(tmp_path / "course", [ASSIGNMENT])
    course.submit(ASSIGNMENT, "ada", course.generate(ASSIGNMENT))
    no_bwrap = tmp_path / "bin"
    no_bwrap.mkdir()
    (no_bwrap / "python").symlink_to(sys.executable)
    done = subprocess.run([sys.executable, "-c", FORMGRADER_CALL, ASSIGNMENT, "ada"],
                          cwd=course.path, capture_output=True, text=True, timeout=300,
                          env={"PATH": str(no_bwrap), "HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr[-3000:]
    reply = json.loads(done.stdout.strip().splitlines()[-1])
    shown = f"{reply.get('log', '')}\n{reply.get('error', '')}"
    assert reply["success"] is False, shown
    assert "bubblewrap (`bwrap`) is not installed: " + INSTALL_HINT in shown, shown
    assert not list((course.path / "autograded").rglob("*.ipynb")), "something was graded"
