"""What scripts/setup_system.py decides on a machine, before `make demo` or `make test` makes .venv:
install with apt-get (as root, or through sudo), or stop with one paragraph naming what is
missing and the command that installs it."""

from __future__ import annotations

import dataclasses
import importlib.util
import subprocess
import sys

import pytest

from rnncourse.engine import sandbox
from testing import REPO

pytestmark = pytest.mark.unit

SCRIPT = REPO / "scripts" / "setup_system.py"
spec = importlib.util.spec_from_file_location("setup_system", SCRIPT)
setup = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = setup  # its dataclasses look their module up while it loads
spec.loader.exec_module(setup)

DEBIAN = setup.Facts(platform="linux", distro=frozenset({"debian"}), apt=True, bwrap=True,
                     python=(3, 11), venv=False, ensurepip=True)


def facts(**changes) -> setup.Facts:
    return dataclasses.replace(DEBIAN, **changes)


def paragraph(decision) -> str:
    assert decision.problem and not decision.packages
    assert "\n" not in decision.problem, "one paragraph"
    return decision.problem


def test_nothing_to_do_where_everything_is_there():
    assert setup.decide(facts(root=True)) == setup.Decision()
    assert setup.decide(facts(bwrap=False, sandbox_off=True)) == setup.Decision()


def test_root_on_debian_installs_what_is_missing():
    decision = setup.decide(facts(root=True, bwrap=False, ensurepip=False))
    assert decision.packages == ("bubblewrap", "python3.11-venv") and decision.runner == ()
    assert decision.problem is None


def test_a_user_with_sudo_installs_through_sudo():
    decision = setup.decide(facts(distro=frozenset({"ubuntu", "debian"}), sudo=True,
                                  bwrap=False))
    assert decision.packages == ("bubblewrap",) and decision.runner == ("sudo",)


def test_postgresql_only_when_asked_for():
    assert setup.decide(facts(root=True)).packages == ()
    asked = setup.decide(facts(root=True, postgres_wanted=True))
    assert asked.packages == ("postgresql",)
    assert setup.decide(facts(root=True, postgres_wanted=True, postgres=True)).packages == ()


def test_a_user_without_sudo_is_told_what_to_install():
    text = paragraph(setup.decide(facts(bwrap=False), "make test"))
    assert text.startswith("make test needs bubblewrap")
    assert "you are not root and cannot use sudo" in text
    assert "`sudo apt-get install bubblewrap`" in text
    assert "run_student_code_unsandboxed = True" in text
    assert "Nothing was created or graded" in text


def test_no_install_installs_nothing():
    text = paragraph(setup.decide(facts(root=True, bwrap=False), install=False))
    assert "--no-install" in text and "`apt-get install bubblewrap`" in text


@pytest.mark.parametrize("distro, command", [
    ({"fedora"}, "sudo dnf install bubblewrap"),
    ({"arch"}, "sudo pacman -S bubblewrap"),
    ({"opensuse-leap", "suse", "opensuse"}, "sudo zypper install bubblewrap"),
])
def test_other_systems_get_their_own_install_command(distro, command):
    text = paragraph(setup.decide(facts(distro=frozenset(distro), sudo=True, bwrap=False)))
    assert f"`{command}`" in text and "Debian and Ubuntu only" in text


def test_macos_needs_linux_for_the_sandbox():
    text = paragraph(setup.decide(facts(platform="darwin", distro=frozenset(), bwrap=False)))
    assert "needs Linux" in text and "darwin" in text
    assert "run_student_code_unsandboxed" in text
    assert setup.decide(facts(platform="darwin", bwrap=False, sandbox_off=True)).problem is None


def test_another_python_than_3_11_stops_before_venv_is_made():
    text = paragraph(setup.decide(facts(root=True, python=(3, 12))))
    assert "needs Python 3.11" in text and "3.12" in text and "PYTHON=" in text
    assert setup.decide(facts(root=True, python=(3, 12), venv=True)).problem is None


def test_os_release_ids_are_read(tmp_path):
    release = tmp_path / "os-release"
    release.write_text('PRETTY_NAME="Ubuntu 24.04"\nID=ubuntu\nID_LIKE=debian\n')
    assert setup.distro(release) == {"ubuntu", "debian"}
    assert setup.distro(tmp_path / "absent") == frozenset()


def test_the_unsandboxed_switch_is_read_from_the_course_config():
    assert setup.UNSANDBOXED.search("c.GradingSandbox.run_student_code_unsandboxed = True\n")
    assert not setup.UNSANDBOXED.search("# c.GradingSandbox.run_student_code_unsandboxed = True")
    assert not setup.UNSANDBOXED.search((REPO / "nbgrader_config.py").read_text())


@pytest.mark.parametrize("root", [True, False])
def test_the_trial_sandbox_uses_the_graders_namespaces(monkeypatch, root):
    monkeypatch.setattr(sandbox.os, "geteuid", lambda: 0 if root else 1000)
    assert setup.namespace_args(root) == sandbox.namespace_args()


def test_the_command_line_says_what_is_missing_and_exits_1(tmp_path):
    """The whole script, on this machine with --no-install and no bubblewrap on PATH."""
    done = subprocess.run([sys.executable, str(SCRIPT), "--for", "make demo", "--no-install"],
                          capture_output=True, text=True, timeout=60,
                          env={"PATH": str(tmp_path)})
    assert done.returncode == 1 and done.stdout == ""
    lines = [line for line in done.stderr.splitlines() if line]
    assert len(lines) == 1 and lines[0].startswith("make demo needs bubblewrap"), done.stderr
