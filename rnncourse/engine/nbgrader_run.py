"""Running nbgrader's commands in a course folder, and reading their logs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

# The notebooks set these too; setting them for the kernel keeps TF's start-up logs out of
# every graded notebook even when a student's set-up cell was changed.
QUIET_ENV = {"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0", "PYTHONWARNINGS": ""}

CONVERTING = re.compile(r"Converting notebook .*[/\\]submitted[/\\]([^/\\]+)[/\\]")


def with_environment_bin(path: str) -> str:
    """The PATH value `path` with this Python environment's bin folder first (unless on it).

    nbgrader runs the `alembic` command of its own environment, found on PATH, whenever it
    creates a gradebook; .venv is often used without being activated.
    """
    here = str(Path(sys.executable).parent)
    parts = [p for p in path.split(os.pathsep) if p]
    return path if here in parts else os.pathsep.join([here, *parts])


def nbgrader_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for an nbgrader command: `base` (default: this process's), quiet, and
    with this environment's bin folder on PATH."""
    base = dict(os.environ if base is None else base)
    return {**base, **QUIET_ENV, "PATH": with_environment_bin(base.get("PATH", ""))}


@contextmanager
def environment_on_path() -> Iterator[None]:
    """For nbgrader called in this process: this environment's bin folder on PATH for the
    block, and PATH as it was afterwards."""
    before = os.environ.get("PATH")
    os.environ["PATH"] = with_environment_bin(before or "")
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("PATH", None)
        else:
            os.environ["PATH"] = before


def nbgrader(
    course: Path, *args: str, on_line: Callable[[str], None] | None = None
) -> subprocess.CompletedProcess:
    """Run one nbgrader command in `course`, returning its combined output."""
    env = nbgrader_env()
    cmd = [sys.executable, "-m", "nbgrader", *args]
    proc = subprocess.Popen(
        cmd, cwd=course, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if on_line:
            on_line(line)
    proc.wait()
    return subprocess.CompletedProcess(cmd, proc.returncode, "".join(lines), "")


def check_nbgrader(course: Path, *args: str, **kwargs) -> str:
    """Run one nbgrader command in `course`; raise RuntimeError with its log when it fails."""
    done = nbgrader(course, *args, **kwargs)
    if done.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed in {course}:\n{done.stdout}")
    return done.stdout


def errors_in_log(log: str, lines: int = 15) -> str:
    """nbgrader's error lines from a log (or its last lines when it has none)."""
    errors = [line for line in log.splitlines()
              if "| ERROR]" in line or "[ERROR]" in line or "Error" in line]
    return "\n".join((errors or log.splitlines())[-lines:])


def student_in_log_line(line: str) -> str | None:
    """The student whose notebook nbgrader starts on in this log line, if any."""
    match = CONVERTING.search(line)
    return match.group(1) if match else None
