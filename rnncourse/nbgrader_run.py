"""Running nbgrader's commands in a course folder, and reading their logs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

# The notebooks set these too; setting them for the kernel keeps TF's start-up logs out of
# every graded notebook even when a student's set-up cell was changed.
QUIET_ENV = {"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0", "PYTHONWARNINGS": ""}

# nbgrader runs the `alembic` command of its own environment to manage the gradebook, so that
# environment's bin folder must be on PATH, also when .venv was never activated.
_BIN = str(Path(sys.executable).parent)
if _BIN not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = os.pathsep.join([_BIN, os.environ.get("PATH", "")])

CONVERTING = re.compile(r"Converting notebook .*[/\\]submitted[/\\]([^/\\]+)[/\\]")


def nbgrader(
    course: Path, *args: str, on_line: Callable[[str], None] | None = None
) -> subprocess.CompletedProcess:
    """Run one nbgrader command in `course`, returning its combined output."""
    env = {**os.environ, **QUIET_ENV}
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
