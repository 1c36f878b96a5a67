"""Scratch folders that the next run removes when the process that made them died.

    with scratch_folder("rnncourse-grade-") as path:   # like tempfile.TemporaryDirectory
        ...
    folder = ScratchFolder("rnncourse-judge-")          # held until folder.remove()
    removed = sweep(tempfile.gettempdir(), SCRATCH_PREFIXES)

Each folder holds `.owner`, a file its process keeps open with an exclusive `flock`. The lock
goes when the process ends, however it ends (SIGKILL included), because the kernel closes its
files. `sweep` tries each folder's lock: one it can take belongs to a process that is gone,
and the folder is removed; one held by a live process (another grading run, another course)
is left alone, and so is a folder without `.owner` or one this user may not remove.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

OWNER = ".owner"
# The scratch folders of a grading run: judges', submissions' scratch courses, kits, boxes.
SCRATCH_PREFIXES = ("rnncourse-judge-", "rnncourse-grade-", "rnncourse-kit-",
                    "rnncourse-generate-", "rnncourse-empty-", "rnncourse-box-")


class ScratchFolder:
    """A new folder (`tempfile.mkdtemp`) owned by this process until `remove()`."""

    def __init__(self, prefix: str, dir: str | os.PathLike | None = None) -> None:
        self.path = Path(tempfile.mkdtemp(prefix=prefix, dir=dir))
        self._fd: int | None = os.open(self.path / OWNER,
                                       os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o600)
        fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.write(self._fd, f"{os.getpid()}\n".encode())

    def remove(self) -> None:
        """Remove the folder, then let go of it (a sweep never sees it half removed)."""
        if self._fd is None:
            return
        shutil.rmtree(self.path, ignore_errors=True)
        os.close(self._fd)
        self._fd = None


@contextlib.contextmanager
def scratch_folder(prefix: str, dir: str | os.PathLike | None = None) -> Iterator[str]:
    """A `ScratchFolder` for the block, removed after it; yields its path as a string."""
    folder = ScratchFolder(prefix, dir)
    try:
        yield str(folder.path)
    finally:
        folder.remove()


def sweep(where: str | os.PathLike, prefixes: Iterable[str] = SCRATCH_PREFIXES) -> list[Path]:
    """Remove the scratch folders under `where` whose process is gone; the ones removed."""
    removed = []
    try:
        entries = sorted(Path(where).iterdir())
    except OSError:
        return removed
    for path in entries:
        if path.name.startswith(tuple(prefixes)) and _abandoned_removed(path):
            removed.append(path)
    return removed


def _abandoned_removed(path: Path) -> bool:
    if path.is_symlink() or not path.is_dir():
        return False
    try:
        fd = os.open(path / OWNER, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:  # no owner file (not ours, or still being made), or not ours to read
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # held: its process is alive
        os.close(fd)
        return False
    try:
        shutil.rmtree(path)
    except OSError:
        return False
    finally:
        os.close(fd)
    return True
