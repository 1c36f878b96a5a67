#!/usr/bin/env python3
"""Install, or explain, the system packages the course's commands need, before .venv is made.

    python3 scripts/setup_system.py [--for "make demo"] [--postgres] [--no-install]
    python3 scripts/setup_system.py --postgres-url

`make demo`, `make test` and `make grade` run this first; `.ci/run` runs `make test POSTGRES=1`,
so CI takes the path a newcomer takes. What it sees to:

* bubblewrap (`bwrap`), the grading sandbox, able to make its namespaces on this machine
  (unless nbgrader_config.py sets `c.GradingSandbox.run_student_code_unsandboxed = True`);
* while .venv does not exist yet: Python 3.11 with its venv module (Debian: python3.11-venv);
* with --postgres: a PostgreSQL server, its cluster created and started, a role `rnncourse`
  and a database `rnncourse_test` for the test that grades into PostgreSQL; `--postgres-url`
  prints that server's URL for RNNCOURSE_TEST_POSTGRES_URL.

On Debian or Ubuntu, as root or with sudo, it installs what is missing with apt-get. Where it
cannot (no root and no sudo, another system, macOS) or with --no-install, it installs nothing:
it prints one paragraph, what is missing and the command that installs it, and exits with
status 1 before anything else runs. Standard library only: it runs before .venv exists.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENV_PYTHON = REPO / ".venv" / "bin" / "python"
UNSANDBOXED = re.compile(r"^\s*c\.GradingSandbox\.run_student_code_unsandboxed\s*=\s*True\b",
                         re.M)
TRUSTED_ONLY = ("only for code you trust, `c.GradingSandbox.run_student_code_unsandboxed = "
                "True` in nbgrader_config.py grades without the sandbox")
PG_ROLE = PG_PASSWORD = "rnncourse"
PG_DATABASE = "rnncourse_test"


@dataclass(frozen=True)
class Facts:
    """What this machine has, as far as the course's commands care."""

    platform: str = "linux"
    distro: frozenset[str] = frozenset()    # /etc/os-release's ID and ID_LIKE
    root: bool = False
    sudo: bool = False                      # sudo, usable now (no password, or a terminal)
    apt: bool = False
    bwrap: bool = False
    sandbox_off: bool = False               # the course grades without the sandbox
    python: tuple[int, int] = (3, 11)       # the interpreter that would create .venv
    venv: bool = False                      # .venv exists already
    ensurepip: bool = True                  # that interpreter can create a venv
    postgres_wanted: bool = False
    postgres: bool = False


@dataclass(frozen=True)
class Need:
    what: str                               # for the message: "bubblewrap (bwrap), ..."
    package: str                            # the Debian/Ubuntu package


@dataclass(frozen=True)
class Decision:
    """Install `packages` with apt-get (through `runner`), or stop with `problem`."""

    packages: tuple[str, ...] = ()
    runner: tuple[str, ...] = ()            # () as root, ("sudo",) otherwise
    problem: str | None = None


def needs(facts: Facts) -> list[Need]:
    """What the commands need and this machine lacks."""
    found = []
    if not facts.sandbox_off and not facts.bwrap:
        found.append(Need("bubblewrap (`bwrap`, the sandbox every submission is graded in)",
                          "bubblewrap"))
    if not facts.venv and not facts.ensurepip:
        minor = f"{facts.python[0]}.{facts.python[1]}"
        found.append(Need(f"the venv module of Python {minor} (to create .venv)",
                          f"python{minor}-venv"))
    if facts.postgres_wanted and not facts.postgres:
        found.append(Need("a PostgreSQL server (for the test that grades into PostgreSQL)",
                          "postgresql"))
    return found


def decide(facts: Facts, command: str = "make demo", install: bool = True) -> Decision:
    """What to do on a machine with these `facts` so that `command` can run."""
    if not facts.venv and facts.python != (3, 11):
        return Decision(problem=(
            f"{command} needs Python 3.11 to create .venv, and the Python it found is "
            f"{facts.python[0]}.{facts.python[1]}. Install Python 3.11 (Debian 12: `sudo "
            "apt-get install python3.11 python3.11-venv`; Ubuntu 24.04: from the deadsnakes "
            "PPA; anywhere: `conda env create -f environment.yml`) and run it again, naming "
            f"it if needed: `{command} PYTHON=/path/to/python3.11`. Nothing was installed, "
            "created or graded."))
    if not facts.sandbox_off and facts.platform != "linux":
        return Decision(problem=(
            f"{command} grades every submission in a bubblewrap sandbox, which needs Linux, "
            f"and this is {facts.platform}. Run the course on a Linux machine or VM (Debian or "
            f"Ubuntu: `sudo apt-get install bubblewrap`); {TRUSTED_ONLY}. Nothing was "
            "installed, created or graded."))
    missing = needs(facts)
    if not missing:
        return Decision()
    packages = tuple(n.package for n in missing)
    why_not = cannot_install(facts, install)
    if why_not is None:
        return Decision(packages, () if facts.root else ("sudo",))
    what = "; ".join(n.what for n in missing)
    it = "it" if len(missing) == 1 else "them"
    hint = f"; {TRUSTED_ONLY}" if any(n.package == "bubblewrap" for n in missing) else ""
    return Decision(problem=(
        f"{command} needs {what}, and this machine does not have {it}. Nothing was installed "
        f"because {why_not}. Install {it} with `{install_command(facts, packages)}` and run "
        f"{command} again{hint}. Nothing was created or graded."))


def cannot_install(facts: Facts, install: bool) -> str | None:
    """Why this script cannot install packages here; None when it can."""
    if not install:
        return "--no-install was given"
    if facts.platform != "linux" or not facts.distro & {"debian", "ubuntu"}:
        return "this script installs packages on Debian and Ubuntu only"
    if not facts.apt:
        return "apt-get is not available"
    if not (facts.root or facts.sudo):
        return "you are not root and cannot use sudo here"
    return None


def install_command(facts: Facts, packages: tuple[str, ...]) -> str:
    """The command that installs `packages` on this kind of system."""
    names = " ".join(packages)
    sudo = "" if facts.root else "sudo "
    if facts.platform == "darwin":
        return f"brew install {names}"
    if facts.distro & {"fedora", "rhel", "centos"}:
        return f"{sudo}dnf install {names}"
    if facts.distro & {"arch"}:
        return f"{sudo}pacman -S {names}"
    if facts.distro & {"suse", "opensuse"}:
        return f"{sudo}zypper install {names}"
    return f"{sudo}apt-get install {names}"


# -- looking at this machine ---------------------------------------------------------------
def distro(os_release: Path = Path("/etc/os-release")) -> frozenset[str]:
    """The ID and ID_LIKE words of /etc/os-release (empty when there is none)."""
    try:
        text = os_release.read_text()
    except OSError:
        return frozenset()
    words = set()
    for line in text.splitlines():
        key, _, value = line.partition("=")
        if key in ("ID", "ID_LIKE"):
            words.update(value.strip().strip("\"'").lower().split())
    return frozenset(words)


def can_sudo() -> bool:
    if shutil.which("sudo") is None:
        return False
    quiet = subprocess.run(["sudo", "-n", "true"], capture_output=True)
    return quiet.returncode == 0 or sys.stdin.isatty()


def look(postgres_wanted: bool) -> Facts:
    config = REPO / "nbgrader_config.py"
    root = os.geteuid() == 0
    return Facts(
        platform=sys.platform, distro=distro(), root=root,
        sudo=not root and can_sudo(), apt=shutil.which("apt-get") is not None,
        bwrap=shutil.which("bwrap") is not None,
        sandbox_off=config.is_file() and bool(UNSANDBOXED.search(config.read_text())),
        python=sys.version_info[:2], venv=os.path.lexists(VENV_PYTHON),
        ensurepip=importlib.util.find_spec("ensurepip") is not None,
        postgres_wanted=postgres_wanted,
        postgres=shutil.which("pg_ctlcluster") is not None
        and Path("/usr/lib/postgresql").is_dir())


def namespace_args(root: bool) -> list[str]:
    """bubblewrap's namespace options, as rnncourse.engine.sandbox.namespace_args gives them
    (tests/test_setup_system.py checks that they agree)."""
    unshare = ["--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
               "--unshare-cgroup-try"]
    if not root:
        unshare.append("--unshare-user")
    return [*unshare, "--die-with-parent", "--new-session"]


def sandbox_problem(command: str) -> str | None:
    """Why bubblewrap cannot make the sandbox here (a trial run, as the grader makes); None
    when it can."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return (f"{command} grades every submission in a bubblewrap sandbox, and `bwrap` is "
                "not on PATH although bubblewrap is installed: put its folder on PATH (it is "
                "/usr/bin/bwrap on Debian and Ubuntu). Nothing was created or graded.")
    trial = [bwrap, *namespace_args(os.geteuid() == 0),
             "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "true"]
    done = subprocess.run(trial, capture_output=True, text=True, timeout=60)
    if done.returncode == 0:
        return None
    said = done.stderr.strip() or f"exit status {done.returncode}"
    return (f"{command} grades every submission in a bubblewrap sandbox, and bubblewrap cannot "
            f"make one here ({said}): this kernel or container forbids user, network or PID "
            "namespaces. Grade on a machine or VM that allows them (a Docker container needs "
            "`--security-opt seccomp=unconfined`; docs/instructors.md, \"Safe grading\"); "
            f"{TRUSTED_ONLY}. Nothing was created or graded.")


# -- doing it -------------------------------------------------------------------------------
def run(argv: list[str]) -> None:
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)


def apt_install(runner: tuple[str, ...], packages: tuple[str, ...], command: str) -> None:
    env = [*runner, "env", "DEBIAN_FRONTEND=noninteractive"]
    print(f"{command}: installing {' '.join(packages)} with apt-get", file=sys.stderr,
          flush=True)
    run([*env, "apt-get", "update", "-qq"])
    run([*env, "apt-get", "install", "-y", "-qq", *packages])


def pg_cluster() -> tuple[str, str, str] | None:
    """(version, port, status) of the newest installed PostgreSQL's `main` cluster (port and
    status "" when it has none yet); None without PostgreSQL."""
    installed = Path("/usr/lib/postgresql")
    versions = sorted((p.name for p in installed.iterdir()) if installed.is_dir() else [],
                      key=lambda v: [int(x) for x in re.findall(r"\d+", v)])
    if not versions or shutil.which("pg_lsclusters") is None:
        return None
    listed = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True,
                            check=True).stdout
    for line in listed.splitlines():
        fields = line.split()
        if len(fields) >= 4 and fields[0] == versions[-1] and fields[1] == "main":
            return fields[0], fields[2], fields[3]
    return versions[-1], "", ""


def start_postgres(runner: tuple[str, ...]) -> str:
    """The `main` cluster of the newest PostgreSQL, created and started, with a role that may
    create the databases the test makes and drops; returns its URL."""
    version, _, status = pg_cluster()
    if not status:
        run([*runner, "pg_createcluster", version, "main"])
    if pg_cluster()[2] != "online":
        run([*runner, "pg_ctlcluster", version, "main", "start"])
    port = pg_cluster()[1]
    as_postgres = ["runuser", "-u", "postgres", "--"] if not runner else [
        "sudo", "-u", "postgres", "--"]

    def psql(sql: str) -> str:
        return subprocess.run([*as_postgres, "psql", "-p", port, "-qtAc", sql],
                              capture_output=True, text=True, check=True).stdout

    if "1" not in psql(f"SELECT 1 FROM pg_roles WHERE rolname = '{PG_ROLE}'"):
        psql(f"CREATE ROLE {PG_ROLE} LOGIN CREATEDB PASSWORD '{PG_PASSWORD}'")
    if "1" not in psql(f"SELECT 1 FROM pg_database WHERE datname = '{PG_DATABASE}'"):
        run([*as_postgres, "createdb", "-p", port, "-O", PG_ROLE, PG_DATABASE])
    return postgres_url(port)


def postgres_url(port: str) -> str:
    return f"postgresql://{PG_ROLE}:{PG_PASSWORD}@127.0.0.1:{port}/{PG_DATABASE}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--for", dest="command", default="make demo",
                        help="the command that needs the packages, for the messages")
    parser.add_argument("--postgres", action="store_true",
                        help="also a PostgreSQL server for the test that grades into it")
    parser.add_argument("--postgres-url", action="store_true",
                        help="print the URL of the server --postgres set up, and stop")
    parser.add_argument("--no-install", action="store_true",
                        help="install nothing: only say what is missing")
    args = parser.parse_args(argv)
    if args.postgres_url:
        cluster = pg_cluster()
        if cluster is None or cluster[2] != "online":
            print("no PostgreSQL cluster is running: run `make test POSTGRES=1`, which starts "
                  "one", file=sys.stderr)
            return 1
        print(postgres_url(cluster[1]))
        return 0
    facts = look(args.postgres)
    decision = decide(facts, args.command, install=not args.no_install)
    problem = decision.problem
    try:
        if problem is None and decision.packages:
            apt_install(decision.runner, decision.packages, args.command)
        if problem is None and not facts.sandbox_off:
            problem = sandbox_problem(args.command)
        if problem is None and args.postgres:
            url = start_postgres(() if facts.root else ("sudo",))
            print(f"{args.command}: PostgreSQL is running for the tests at {url}",
                  file=sys.stderr)
    except subprocess.CalledProcessError as err:
        problem = (f"{args.command} could not set up this machine: `{' '.join(err.cmd)}` "
                   f"failed with exit status {err.returncode}. Nothing was created or graded.")
    if problem:
        print(f"\n{problem}\n", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
