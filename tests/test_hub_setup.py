"""What `make hub` decides before it creates anything (scripts/hub_env.py, hub_site.py,
hub_system.py): which interpreter the servers' environment may be built from, what students'
servers are configured with, and what the machine lacks."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

import pytest

from testing import REPO

pytestmark = pytest.mark.unit

SCRIPTS = REPO / "scripts"
if str(SCRIPTS) not in sys.path:   # the hub's scripts import each other
    sys.path.append(str(SCRIPTS))
hub_env, hub_site, hub_system = (importlib.import_module(name)
                                 for name in ("hub_env", "hub_site", "hub_system"))


def test_an_interpreter_other_users_cannot_reach_is_refused(tmp_path):
    """Is an interpreter inside a folder only its owner may enter (pyenv's, under /root)
    refused before anything is built, with the folder named?"""
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    (private / "python3").symlink_to(os.path.realpath(sys.executable))
    with pytest.raises(hub_env.SetupError, match="which other users cannot enter"):
        hub_env.check_python(str(private / "python3"))


def test_a_missing_interpreter_is_named_with_how_to_choose_another():
    with pytest.raises(hub_env.SetupError, match="HUB_PYTHON="):
        hub_env.check_python("/nonexistent/python3.11")


@pytest.mark.skipif(not Path("/usr/bin/python3.11").exists(), reason="no Debian Python 3.11")
def test_debians_python_is_accepted():
    hub_env.check_python("/usr/bin/python3.11")


def test_students_lose_the_instructors_tools_and_cannot_turn_them_back_on():
    """Are the formgrader, create-assignment and course list disabled and locked in students'
    JupyterLab, and the formgrader's server extension off in their servers?"""
    tools = {f"@jupyter/nbgrader:{name}" for name in
             ("formgrader", "create-assignment", "course-list")}
    assert {k for k, v in hub_site.STUDENT_LAB["disabledExtensions"].items() if v} == tools
    assert {k for k, v in hub_site.STUDENT_LAB["lockedExtensions"].items() if v} == tools
    server = hub_site.STUDENT_SERVER["ServerApp"]["jpserver_extensions"]
    assert server["nbgrader.server_extensions.formgrader"] is False


def test_the_demo_and_the_test_sites_share_no_account_folder_or_port():
    demo, test = hub_site.DEMO, hub_site.TEST
    assert not set(demo.accounts) & set(test.accounts)
    assert len({demo.root, test.root, demo.exchange, test.exchange}) == 4
    assert abs(demo.port - test.port) > 2
    assert len(set(demo.passwords.values())) == len(demo.accounts)


def test_a_machine_without_npm_or_a_browser_is_told_what_to_install(monkeypatch):
    monkeypatch.setattr(hub_system.shutil, "which", lambda name: None)
    monkeypatch.setattr(hub_system, "runner", lambda: None)
    lacking = dict(hub_system.missing(browser=True))
    assert {"npm", "chromium", "chromium-driver"} <= set(lacking)
    note = hub_system.ensure("make test", browser=True, optional=True)
    assert note.startswith("make test: the JupyterHub browser test will skip itself")
    stop = hub_system.ensure("make hub", browser=False, optional=False)
    assert "apt-get install npm" in stop and "Nothing was created or started." in stop
