"""The grading sandbox's pieces on their own: bubblewrap's command line, the resource limits'
launcher, the packages the kernel loads first, and the cap on a cell's output.

tests/test_sandbox.py grades an adversarial class in the real sandbox; these run in seconds.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from traitlets.config import Config

from rnncourse.engine import sandbox
from rnncourse.engine.channel import IMPORTS_ENV, TOKEN_ENV, UID_ENV
from rnncourse.engine.judged_execute import JudgedExecute
from rnncourse.engine.limits import GradingLimits
from rnncourse.engine.parent_watch import ORPHANED
from testing import REPO

pytestmark = pytest.mark.unit


def options(argv: list[str], name: str) -> list[tuple[str, ...]]:
    """Every use of the bwrap option `name` with its arguments (--setenv and binds take 2)."""
    width = {"--setenv": 2, "--bind": 2, "--ro-bind": 2, "--symlink": 2, "--dir": 1,
             "--perms": 1, "--chdir": 1, "--proc": 1, "--dev": 1, "--tmpfs": 1}
    end = argv.index("--")
    return [tuple(argv[i + 1:i + 1 + width[name]]) for i in range(end) if argv[i] == name]


@pytest.fixture
def box(tmp_path) -> Path:
    for name in ("work", "home", "tmp", "run"):
        (tmp_path / name).mkdir()
    return tmp_path


ENV = {"NBGRADER_EXECUTION": "autograde", TOKEN_ENV: "t0ken", IMPORTS_ENV: "numpy",
       "GRADER_SECRET": "do not pass", "HOME": "/root", "PATH": "/grader/bin"}


def test_the_kernel_sees_its_box_and_no_course_file(box):
    argv = sandbox.bwrap_argv(box, ENV, uid=None)
    binds = dict((inside, outside) for outside, inside in options(argv, "--bind"))
    assert binds == {"/tmp": str(box / "tmp"), "/home/student": str(box / "home"),
                     "/submission": str(box / "work"), str(box / "run"): str(box / "run")}
    read_only = [outside for outside, _ in options(argv, "--ro-bind")]
    prefixes = {str(Path(p).resolve()) for p in (sys.prefix, sys.base_prefix)} | {sys.prefix}
    kernel_files = {str(p) for p in sandbox.KERNEL_FILES}
    for path in read_only:
        assert (path in prefixes or path in kernel_files
                or path.split("/")[1] in {"usr", "etc", "opt", "bin", "sbin", "lib", "lib32",
                                          "lib64"}), f"{path} is mounted in the box"
    course_parts = [str(REPO / name) for name in ("source", "release", "solutions",
                                                  "gradebook.db", "nbgrader_config.py")]
    assert not set(course_parts) & set(read_only) and str(REPO) not in read_only
    assert ("/submission",) in options(argv, "--chdir")


def test_the_kernel_gets_only_the_environment_it_needs(box):
    argv = sandbox.bwrap_argv(box, ENV, uid=1234)
    assert "--clearenv" in argv and argv.index("--clearenv") < argv.index("--setenv")
    env = dict(options(argv, "--setenv"))
    assert "GRADER_SECRET" not in env and env["HOME"] == "/home/student"
    assert env[TOKEN_ENV] == "t0ken" and env["NBGRADER_EXECUTION"] == "autograde"
    assert env[UID_ENV] == "1234" and env["TMPDIR"] == "/tmp"
    assert not env["PATH"].startswith("/grader")
    assert UID_ENV not in dict(options(sandbox.bwrap_argv(box, ENV, uid=None), "--setenv"))
    assert argv[argv.index("--") + 1:] == [sys.executable, sandbox.KERNEL_INSIDE, "-f",
                                            "{connection_file}"]


def test_the_box_has_its_own_network_processes_and_users(monkeypatch):
    monkeypatch.setattr(sandbox.os, "geteuid", lambda: 1000)
    user = sandbox.namespace_args()
    for flag in ("--unshare-net", "--unshare-pid", "--unshare-user", "--die-with-parent"):
        assert flag in user
    monkeypatch.setattr(sandbox.os, "geteuid", lambda: 0)
    assert "--unshare-user" not in sandbox.namespace_args()  # root drops to its own uid


def test_the_limits_are_set_before_bubblewrap_starts():
    limits = GradingLimits(config=Config(
        {"GradingLimits": {"memory_limit": 2**30, "max_processes": 64}}))
    prefix = sandbox.limits_prefix(limits)
    assert prefix[:3] == [sys.executable, "-m", "rnncourse.engine.sandbox_launch"]
    assert f"--memory={2**30}" in prefix and "--processes=64" in prefix
    assert f"--file-bytes={256 * 2**20}" in prefix and prefix[-1] == "--"
    assert f"--parent={os.getpid()}" in prefix  # it ends with the process that grades


def test_the_launcher_starts_nothing_for_a_grading_process_that_is_gone():
    """Started for a grading process that died meanwhile (another pid than its parent's),
    does the launcher exit without starting the command?"""
    done = subprocess.run([sys.executable, "-m", "rnncourse.engine.sandbox_launch", "--parent=1",
                           "--memory=1", "--processes=1", "--file-bytes=1", "--", "echo",
                           "started"], capture_output=True, text=True, timeout=60)
    assert done.returncode == ORPHANED and "started" not in done.stdout


def test_a_limit_set_under_its_old_name_still_applies_with_a_warning():
    """Does `c.GradingSandbox.memory_limit` (the name before GradingLimits) still work, saying
    what to write instead, while a limit set under the new name wins?"""
    config = Config({"GradingSandbox": {"memory_limit": 2**30, "max_processes": 8},
                     "GradingLimits": {"max_processes": 64}})
    with pytest.warns(FutureWarning, match="c.GradingLimits.memory_limit"):
        limits = GradingLimits(config=config)
    assert (limits.memory_limit, limits.max_processes) == (2**30, 64)


def test_the_packages_the_course_imports_are_found_in_order():
    sources = ["import numpy as np\nfrom torch import nn", "import numpy\nimport keras.ops",
               "from . import local", "this is not python ("]
    assert sandbox.imported_packages(sources) == ["numpy", "torch", "keras.ops"]


def stream(text: str) -> dict:
    return {"msg_type": "stream", "header": {"msg_type": "stream"},
            "parent_header": {"msg_id": "run"}, "content": {"name": "stdout", "text": text}}


def test_a_cells_output_is_cut_at_the_limit_with_a_note():
    execute = JudgedExecute(config=Config({"GradingLimits": {"max_output_bytes": 100}}))
    execute.reset_execution_trackers()                  # as nbclient does for a notebook,
    execute.clear_before_next_output = False            # for a cell,
    execute._output_bytes, execute._answers = {}, {}   # and JudgedExecute.preprocess does
    outs: list = []
    for _ in range(5):
        execute.output(outs, stream("x" * 40), None, 0)
    texts = [o.text for o in outs]
    assert texts[:2] == ["x" * 40, "x" * 40], "what fits is kept"
    assert texts[2:] == ["\n[output cut: this cell showed more than 100 bytes]\n"]
    other: list = []
    execute.output(other, stream("y" * 40), None, 1)
    assert [o.text for o in other] == ["y" * 40], "each cell has its own budget"
