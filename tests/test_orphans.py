"""Do the pieces that make a killed grading run safe work on their own? A child that watches its
parent ends when the parent is killed outright (and not before); a scratch folder is swept only
once the process that owns it is gone. Fast: plain Python processes, nothing is graded
(tests/test_crash_safety.py kills real grading runs)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from rnncourse.engine.scratch import OWNER, ScratchFolder, sweep

pytestmark = pytest.mark.unit

# A parent that starts a watching child (from a thread that then ends, as a pool's thread may)
# and prints the child's pid; the child prints READY once it watches.
PARENT = textwrap.dedent("""
    import subprocess, sys, threading, time
    CHILD = ("import sys, time\\n"
             "from rnncourse.engine.parent_watch import watch_parent\\n"
             "watch_parent(int(sys.argv[1]), with_death_signal=False)\\n"
             "print('READY', flush=True)\\n"
             "time.sleep(600)\\n")
    import os
    started = []
    def start():
        started.append(subprocess.Popen([sys.executable, "-c", CHILD, str(os.getpid())],
                                        stdout=subprocess.PIPE, text=True))
    thread = threading.Thread(target=start)
    thread.start()
    thread.join()  # the thread that started the child is gone; the child must live on
    child = started[0]
    assert child.stdout.readline().strip() == "READY"
    print(child.pid, flush=True)
    time.sleep(600)
""")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is gone for our purpose
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def test_a_watching_child_ends_when_its_parent_is_killed_and_not_before():
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE,
                              text=True)
    try:
        child = int(parent.stdout.readline())
        time.sleep(1.5)  # three of the watcher's polls, with the parent alive
        assert alive(child), "the child ended while its parent was alive"
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 5
        while alive(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(child), "the child outlived its killed parent by 5 s"
    finally:
        parent.kill()


OWNED = textwrap.dedent("""
    import sys, time
    from rnncourse.engine.scratch import ScratchFolder
    folder = ScratchFolder("rnncourse-judge-", dir=sys.argv[1])
    print(folder.path, flush=True)
    time.sleep(600)
""")


def test_a_scratch_folder_is_swept_only_once_its_owner_is_gone(tmp_path):
    owner = subprocess.Popen([sys.executable, "-c", OWNED, str(tmp_path)],
                             stdout=subprocess.PIPE, text=True)
    try:
        theirs = Path(owner.stdout.readline().strip())
        mine = ScratchFolder("rnncourse-grade-", dir=tmp_path)
        stranger = tmp_path / "rnncourse-box-nobodys"   # no owner file: not ours to judge
        stranger.mkdir()
        other = tmp_path / "unrelated-folder"
        other.mkdir()
        assert sweep(tmp_path) == [] and theirs.is_dir() and mine.path.is_dir()
        os.kill(owner.pid, signal.SIGKILL)
        owner.wait()
        assert sweep(tmp_path) == [theirs]
        assert not theirs.exists() and mine.path.is_dir() and stranger.is_dir()
        assert other.is_dir() and (mine.path / OWNER).is_file()
        mine.remove()
        assert not mine.path.exists()
    finally:
        owner.kill()
