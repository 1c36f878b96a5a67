"""The servers' environment of the course's hub (scripts/hub_site.py): a venv of a system
Python that every user can run, with the course's pins, JupyterHub, configurable-http-proxy
and the course package, not editable. Standard library only: it runs before ENV exists."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ENV = Path("/opt/rnncourse-hub")
PROXY = ENV / "node" / "bin" / "configurable-http-proxy"
PROXY_PACKAGE = "configurable-http-proxy@5.3.0"


class SetupError(RuntimeError):
    """The site cannot be set up here; the message says why and what to do."""


def run(argv: list[str], **kwargs) -> str:
    """Run a set-up step; its output is shown only when it fails."""
    done = subprocess.run(argv, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        tail = (done.stdout + done.stderr).strip().splitlines()[-15:]
        raise SetupError(f"`{' '.join(map(str, argv))}` failed with exit status "
                         f"{done.returncode}:\n" + "\n".join(tail))
    return done.stdout


# -- building it ---------------------------------------------------------------
def check_python(python: str) -> None:
    """The servers' interpreter must be Python 3.11 and reachable by every user."""
    path = Path(python)
    if not path.exists():
        raise SetupError(f"{python} does not exist: the servers' environment is built from the "
                         "system's Python 3.11 (Debian 12: `apt-get install python3 "
                         "python3-venv`); name another with HUB_PYTHON=/path/to/python3.11.")
    for folder in sorted({*path.absolute().parents, *path.resolve().parents}):
        if not os.stat(folder).st_mode & 0o001:
            raise SetupError(
                f"{python} lives in {folder}, which other users cannot enter, so no user's "
                "server could start from an environment built on it. Use a system Python "
                "(Debian: /usr/bin/python3), with HUB_PYTHON=/path/to/python3.11.")
    version = run([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"]).strip()
    if version != "3.11":
        raise SetupError(f"{python} is Python {version}; the course's pins need 3.11. Install "
                         "Python 3.11 and name it with HUB_PYTHON=/path/to/python3.11.")


def digest(*paths: Path) -> str:
    sha = hashlib.sha256()
    for path in paths:
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for file in files:
            sha.update(str(file.relative_to(path.parent)).encode() + file.read_bytes())
    return sha.hexdigest()


def build_env(python: str, say) -> None:
    """ENV with the pinned requirements and jupyterhub (again when the pins change)."""
    check_python(python)
    stamp, wanted = ENV / ".pins", digest(REPO / "requirements.txt",
                                          REPO / "requirements-hub.txt")
    if stamp.is_file() and stamp.read_text() == wanted and PROXY.exists():
        return
    say(f"building the servers' environment in {ENV} from {python} (a few minutes)")
    if not (ENV / "bin" / "python").exists():
        run([python, "-m", "venv", str(ENV)])
    run([str(ENV / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check",
         "-r", str(REPO / "requirements-hub.txt")], cwd=REPO)
    say(f"installing {PROXY_PACKAGE} with npm into {ENV / 'node'}")
    run(["npm", "install", "--global", "--silent", "--prefix", str(ENV / "node"),
         PROXY_PACKAGE])
    stamp.write_text(wanted)


def install_course_package(course: Path, say) -> None:
    """The course package from the instructor's clone into ENV, not editable (again when it
    changes); built from a copy, so the clone gets no build folder."""
    stamp, wanted = ENV / ".course", digest(course / "pyproject.toml", course / "rnncourse")
    if stamp.is_file() and stamp.read_text() == wanted:
        return
    say(f"installing the course package from {course} into {ENV} (not editable)")
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "course"
        copy.mkdir()
        shutil.copy2(course / "pyproject.toml", copy)
        shutil.copytree(course / "rnncourse", copy / "rnncourse",
                        ignore=shutil.ignore_patterns("__pycache__"))
        run([str(ENV / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check",
             "--no-deps", "--force-reinstall", str(copy)])
    stamp.write_text(wanted)
