"""Child processes that stop when the process that started them is gone, however it ended.

A grading command killed with SIGKILL (an out-of-memory killer, a closed SSH session, a hub
culling a server) runs no clean-up of its own, so every process it starts watches for it:

    watch_parent(expected_parent_pid)              # in the child, first thing
    env[PARENT_ENV] = str(os.getpid())             # in the parent, for a child it starts

* A daemon thread compares `os.getppid()` with the parent's pid every half second; when the
  parent is gone the child is someone else's (init's, or a subreaper's) and it ends at once
  with `os._exit`. This works on every POSIX system and whichever thread started the child.
* `with_death_signal=True` also asks Linux (`prctl(PR_SET_PDEATHSIG, SIGKILL)`) to kill the
  child the moment its parent ends, even while the child's interpreter is busy in C (an
  import, a long computation) and its watching thread cannot run. Linux sends it when the
  *thread* that started the child ends, so it is for children started by a thread that lives
  as long as its process (the grading command's workers, started by its main thread) or that
  are simply started again when needed (the judge, rnncourse.judge_client).

A child whose parent died before it looked is caught too: the parent's pid is given to it
(an argument, or `PARENT_ENV`), not read from `getppid()` after the fact. Processes of the
grading sandbox need none of this: bubblewrap's `--die-with-parent` ends each box with its
kernel (rnncourse.sandbox), and an unsandboxed kernel watches its parent itself (ipykernel,
`JPY_PARENT_PID`).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

PARENT_ENV = "RNNCOURSE_PARENT_PID"
PR_SET_PDEATHSIG = 1
ORPHANED = 70  # the exit status of a child whose parent is gone (EX_SOFTWARE)


def death_signal() -> bool:
    """Have Linux SIGKILL this process when its parent ends; False where it cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def watch_parent(parent: int | None = None, *, with_death_signal: bool = False,
                 interval: float = 0.5) -> int:
    """End this process (status ORPHANED) as soon as `parent` is no longer its parent.

    `parent`: the pid it must have (default: `PARENT_ENV`, removed from the environment so the
    process's own children do not take it for theirs; else the present parent). Returns it.
    """
    if parent is None:
        parent = int(os.environ.pop(PARENT_ENV, 0) or os.getppid())
    if with_death_signal:
        death_signal()
    if os.getppid() != parent:
        os._exit(ORPHANED)
    threading.Thread(target=_watch, args=(parent, interval), name="parent-watch",
                     daemon=True).start()
    return parent


def _watch(parent: int, interval: float) -> None:
    while True:
        time.sleep(interval)
        if os.getppid() != parent:
            os._exit(ORPHANED)
