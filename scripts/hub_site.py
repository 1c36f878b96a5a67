"""What `make hub` sets up on this machine, as root, and what `make hub-clean` removes.

A *site* is one hub of the course: its Unix accounts, their home folders, the exchange, the
hub's own folder and its configuration. `make hub` sets up DEMO; tests/test_hub.py sets up
TEST (other accounts, folders and ports, so the two never meet). Both share the servers'
environment, ENV, a venv of Debian's Python that every user can run. What is created:

* ENV (/opt/rnncourse-hub): the venv with requirements-hub.txt (the course's pins and
  jupyterhub) and the course package, installed from the instructor's clone, not editable;
  configurable-http-proxy from npm under ENV/node;
* the accounts (`useradd`, no password, marked in their comment field), each with a home folder
  of mode 0700, so nobody else reads it;
* the exchange, mode 0777 (nbgrader makes its course folders inside);
* the site's folder (/srv/rnncourse-hub for DEMO): hub/ (the hub's database, cookie secret and
  pids; root only), etc/jupyter/nbgrader_config.py (the system-wide nbgrader settings: the
  exchange), etc/jupyter-students/ (the students' extension settings), site.json;
* the instructor's course: a clone of this repository's HEAD in ~/rnn-from-scratch, with
  ~/.jupyter/nbgrader_config.py pointing at it, and every lesson recorded in its gradebook
  (`nbgrader generate_assignment --force`, which also writes release/ again, unchanged).

Standard library only: it runs before ENV exists.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import hub_env
from hub_env import ENV, PROXY, REPO, SetupError, run

MARK = "rnncourse hub account"      # in the comment field of every account a site creates
COURSE_FOLDER = "rnn-from-scratch"


@dataclass(frozen=True)
class Site:
    name: str
    root: Path
    exchange: Path
    instructor: str
    students: tuple[str, ...]
    port: int

    @property
    def accounts(self) -> tuple[str, ...]:
        return (self.instructor, *self.students)

    @property
    def passwords(self) -> dict[str, str]:
        return {name: f"{name.rsplit('-', 1)[-1]}-rnn" for name in self.accounts}

    @property
    def state(self) -> Path:
        return self.root / "hub"

    @property
    def course(self) -> Path:
        return Path("/home") / self.instructor / COURSE_FOLDER

    def home(self, name: str) -> Path:
        return Path("/home") / name


DEMO = Site("demo", Path("/srv/rnncourse-hub"), Path("/srv/nbgrader/exchange"),
            "instructor", ("student1", "student2"), 8000)
TEST = Site("test", Path("/srv/rnncourse-hubtest"), Path("/srv/rnncourse-hubtest/exchange"),
            "hubtest-instructor", ("hubtest-ada", "hubtest-bo"), 18000)


def as_user(name: str, argv: list[str], cwd: Path, site: Site) -> str:
    """Run `argv` as the account `name`, with the environment its server gets."""
    env = {"HOME": str(site.home(name)), "USER": name, "LANG": "C.UTF-8",
           "PATH": f"{ENV}/bin:/usr/local/bin:/usr/bin:/bin",
           "JUPYTER_CONFIG_PATH": str(site.root / "etc" / "jupyter")}
    return run(["runuser", "-u", name, "--", "env", "-i",
                *[f"{k}={v}" for k, v in env.items()], *argv], cwd=cwd)


# -- accounts, folders, configuration ---------------------------------------------------------
def ensure_account(name: str) -> None:
    """A Unix account with a 0700 home folder; one this set-up did not make is left alone."""
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        run(["useradd", "--create-home", "--shell", "/bin/bash", "--comment", MARK, name])
        entry = pwd.getpwnam(name)
    if entry.pw_gecos != MARK:
        raise SetupError(f"the account {name} exists already and was not made by this set-up; "
                         "nothing of it was changed. Remove it, or run the hub elsewhere.")
    os.chmod(entry.pw_dir, 0o700)


def write(path: Path, text: str, owner: str | None = None, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)
    if owner:
        shutil.chown(path.parent, owner, owner)
        shutil.chown(path, owner, owner)


# Every server's nbgrader settings. A student's Validate runs the notebook in their own server
# with nbgrader's defaults (30 s a cell, 4 s for a cell's output after its reply), which a
# busy hub exceeded while Keras loaded: the course's 180 s a cell, and 30 s for the output.
NBGRADER_CONFIG = """c = get_config()
c.Exchange.root = "{}"
c.Execute.timeout = 180
c.Execute.iopub_timeout = 30
"""
# JupyterLab's news pop-up asks every user about fetching news from the internet: off.
EVERYONE_LAB = {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}
# JupyterLab's terminal runs a login shell under JupyterHub, and Debian's /etc/profile then
# resets PATH, losing the servers' environment (no `python -m rnncourse.grade`, no nbgrader): a
# plain interactive bash keeps the server's PATH.
EVERYONE_SERVER = {"ServerApp": {"terminado_settings": {"shell_command": ["/bin/bash"]}}}
STUDENT_LAB = {
    "disabledExtensions": {f"@jupyter/nbgrader:{name}": True
                           for name in ("formgrader", "create-assignment", "course-list")},
}
STUDENT_LAB["lockedExtensions"] = STUDENT_LAB["disabledExtensions"]
STUDENT_SERVER = {"ServerApp": {"jpserver_extensions": {
    "nbgrader.server_extensions.formgrader": False,
    "nbgrader.server_extensions.course_list": False}}}


def write_config(site: Site) -> None:
    etc = site.root / "etc"
    write(etc / "jupyter" / "nbgrader_config.py", NBGRADER_CONFIG.format(site.exchange))
    write(etc / "jupyter" / "labconfig" / "page_config.json", json.dumps(EVERYONE_LAB, indent=1))
    write(etc / "jupyter" / "jupyter_server_config.json", json.dumps(EVERYONE_SERVER, indent=1))
    write(etc / "jupyter-students" / "labconfig" / "page_config.json",
          json.dumps(STUDENT_LAB, indent=1))
    write(etc / "jupyter-students" / "jupyter_server_config.d" / "nbgrader-students.json",
          json.dumps(STUDENT_SERVER, indent=1))
    site.state.mkdir(parents=True, exist_ok=True)
    site.state.chmod(0o700)
    write(site.root / "site.json", json.dumps({
        "port": site.port, "instructor": site.instructor, "passwords": site.passwords,
        "env": str(ENV), "proxy": str(PROXY), "state": str(site.state),
        "etc": str(etc / "jupyter"), "students_etc": str(etc / "jupyter-students"),
    }, indent=1), mode=0o600)


def clone_course(site: Site, say) -> None:
    """The instructor's clone of this repository's HEAD, with the lessons in its gradebook."""
    course, name = site.course, site.instructor
    if not course.exists():
        head = run(["git", "-C", str(REPO), "rev-parse", "HEAD"]).strip()
        say(f"cloning the course ({head[:10]}) into {course}")
        run(["git", "clone", "--quiet", "--no-checkout", str(REPO), str(course)])
        run(["git", "-C", str(course), "checkout", "--quiet", "--detach", head])
        run(["chown", "-R", f"{name}:{name}", str(course)])
    write(site.home(name) / ".jupyter" / "nbgrader_config.py",
          f'c = get_config()\nc.CourseDirectory.root = "{course}"\n', owner=name)
    hub_env.install_course_package(course, say)
    if not (course / "gradebook.db").exists():
        say("recording the lessons in the instructor's gradebook "
            "(nbgrader generate_assignment --force)")
        for lesson in sorted(p.name for p in (course / "source").iterdir() if p.is_dir()):
            as_user(name, ["nbgrader", "generate_assignment", "--force", lesson], course, site)


def set_up(site: Site, python: str, say) -> None:
    """Everything the site needs, made or checked; safe to run again."""
    if os.geteuid() != 0:
        raise SetupError("the hub creates Unix accounts and runs JupyterHub as root: run it "
                         "as root (`sudo make hub`).")
    hub_env.build_env(python, say)
    for name in site.accounts:
        ensure_account(name)
    site.exchange.mkdir(parents=True, exist_ok=True)
    site.exchange.chmod(0o777)
    write_config(site)
    clone_course(site, say)


# -- removing it ----------------------------------------------------------------------------
def user_processes(name: str) -> list[int]:
    uid = pwd.getpwnam(name).pw_uid
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def remove(site: Site, keep_env: bool, say) -> None:
    """Remove the site's accounts (with their homes), exchange and folder, and ENV unless
    `keep_env`; an account this set-up did not make is left alone."""
    pid_file = site.state / "jupyterhub.pid"
    if pid_file.is_file() and Path("/proc", pid_file.read_text().strip()).exists():
        raise SetupError(f"the hub is running (pid {pid_file.read_text().strip()}): stop it "
                         "with Ctrl-C first; nothing was removed.")
    for name in site.accounts:
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        if entry.pw_gecos != MARK:
            say(f"left the account {name} alone: this set-up did not make it")
            continue
        for pid in user_processes(name):
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass
        run(["userdel", "--remove", name])
        say(f"removed the account {name} and {entry.pw_dir}")
    for folder in (site.exchange, site.root):
        if folder.exists():
            shutil.rmtree(folder)
            say(f"removed {folder}")
    if site.exchange.parent.exists() and not any(site.exchange.parent.iterdir()):
        site.exchange.parent.rmdir()
    if not keep_env and ENV.exists():
        shutil.rmtree(ENV)
        say(f"removed {ENV}")


if __name__ == "__main__":
    sys.exit("run scripts/hub.py")
