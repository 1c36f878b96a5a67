"""Unpacking a submissions download safely: nbgrader's `ExtractorPlugin`, with limits.

`SafeExtractor` keeps the contract of nbgrader's zip_collect extractor (`extract(archive_dir,
extracted_dir)`: every `.zip` in the folder is unpacked into a folder of its own, every other
file is copied), so `nbgrader zip_collect --extractor=rnncourse.grading.lms.archive.SafeExtractor`
works too. Unlike nbgrader's, which unpacks with `shutil.unpack_archive`, it reads every entry
itself and writes only inside the folder it was given. It refuses, naming the entry and the
reason, and goes on with the others:

* a name that is absolute, holds `..`, a backslash, a drive or a control character;
* a symbolic link (in the zip or in the folder), a second entry of the same name;
* an entry larger than `max_file_bytes` once uncompressed (read with a cap, so a header that
  lies does not help), or that inflates more than `max_ratio` times (a zip bomb);
* an entry that cannot be read (bad data, a wrong checksum, a password);
* everything after `max_files` entries or `max_total_bytes` uncompressed, in one line;
* an archive inside the archive (a student's .zip upload is not unpacked again).

A file that is not a zip archive at all is one problem, and nothing else of it is read.
"""

from __future__ import annotations

import os
import shutil
import stat
import time
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from nbgrader.plugins import ExtractorPlugin
from traitlets import Float, Integer, List

MiB = 2**20
CHUNK = MiB


def shown_size(size: int) -> str:
    return f"{size / MiB:.1f} MiB" if size >= MiB else f"{size:,} bytes"


def name_problem(name: str) -> str | None:
    """Why an archive entry's name cannot be written as a path inside the folder, or None."""
    if "\\" in name:
        return "its name holds a backslash, a path separator this archive does not use"
    if any(ord(c) < 32 for c in name):
        return "its name holds a control character"
    path = PurePosixPath(name)
    if path.is_absolute() or (path.parts and ":" in path.parts[0]):
        return "its name is an absolute path"
    if ".." in path.parts:
        return "its name climbs out of the archive with '..'"
    return None


class SafeExtractor(ExtractorPlugin):
    """nbgrader's zip_collect extractor, reading every entry itself, within limits."""

    zip_ext = List([".zip"]).tag(config=True)
    max_file_bytes = Integer(
        64 * MiB, help="the largest file taken from a submissions download").tag(config=True)
    max_total_bytes = Integer(
        4096 * MiB, help="the most a download may hold once uncompressed").tag(config=True)
    max_files = Integer(20_000, help="the most files a download may hold").tag(config=True)
    max_ratio = Float(
        100.0, help="an entry over 1 MiB inflating more than this many times is a zip bomb"
    ).tag(config=True)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.problems: list[tuple[str, str]] = []  # (the file, as the archive names it; why)
        self._total = 0
        self._count = 0

    def refuse(self, name: str, reason: str) -> None:
        self.problems.append((name, reason))
        if self.parent is not None:  # in nbgrader's zip_collect, which shows its log
            self.log.warning("Skipped %s: %s", name, reason)

    def extract(self, archive_path: str, extracted_path: str) -> None:
        """nbgrader's contract: unpack every archive of the folder `archive_path` into a
        folder of its own under `extracted_path`, copy every other file."""
        source, target = Path(archive_path), Path(extracted_path)
        for root, dirs, files in os.walk(source):
            here = Path(root)
            for name in sorted(dirs):
                if (here / name).is_symlink():
                    self.refuse(str((here / name).relative_to(source)), "a symbolic link")
            dirs[:] = sorted(d for d in dirs if not (here / d).is_symlink())
            for name in sorted(files):
                path = here / name
                rel = path.relative_to(source).as_posix()
                if path.suffix.lower() in self.zip_ext:
                    self.extract_zip(path, target / rel[:-len(path.suffix)], f"{rel}:")
                else:
                    self.copy_file(path, target / rel, rel)

    def copy_file(self, path: Path, dest: Path, shown: str) -> None:
        """Copy one loose file of a folder, within the limits."""
        if path.is_symlink() or not path.is_file():
            self.refuse(shown, "a symbolic link, or not a regular file")
            return
        size = path.stat().st_size
        if not self._room(shown, size, size):
            return
        with open(path, "rb") as src:
            self._write(src, dest, shown, size, path.stat().st_mtime)

    def extract_zip(self, path: Path, dest: Path, shown: str = "") -> None:
        """Unpack the zip archive `path` into the folder `dest`; `shown` prefixes the names of
        its entries in the problems (the archive's own name, for a folder of archives)."""
        try:
            archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, ValueError) as err:
            self.refuse(shown.rstrip(":") or path.name,
                        f"not a readable zip archive ({err}); nothing in it was imported")
            return
        with archive:
            entries = archive.infolist()
            for number, info in enumerate(entries):
                if self._count >= self.max_files:
                    self.refuse(shown + info.filename, f"the download holds more than "
                                f"{self.max_files:,} files: this one and the "
                                f"{len(entries) - number - 1} after it were not read")
                    return
                if not self.extract_entry(archive, info, dest, shown + info.filename):
                    return

    def extract_entry(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, dest: Path,
                      shown: str) -> bool:
        """Unpack one entry (or refuse it); False when nothing more may be read."""
        if info.is_dir():
            return True
        problem = name_problem(info.filename)
        if problem is None and stat.S_ISLNK(info.external_attr >> 16):
            problem = "a symbolic link"
        if problem is None and PurePosixPath(info.filename).suffix.lower() in self.zip_ext:
            problem = ("an archive inside the archive: it is not unpacked (the course takes "
                       "notebooks, .ipynb)")
        if problem:
            self.refuse(shown, problem)
            return True
        ratio = info.file_size / info.compress_size if info.compress_size else 0.0
        if info.file_size > MiB and ratio > self.max_ratio:
            self.refuse(shown, f"a zip bomb: {shown_size(info.compress_size)} inflating to "
                        f"{shown_size(info.file_size)} ({ratio:,.0f} times)")
            return True
        if not self._room(shown, info.file_size, info.compress_size):
            return self._total <= self.max_total_bytes
        mtime = time.mktime((*info.date_time, 0, 0, -1))
        try:
            with archive.open(info) as src:
                self._write(src, dest / info.filename, shown, info.file_size, mtime)
        except (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError,
                EOFError, OSError) as err:
            self.refuse(shown, f"cannot be read from the archive ({err})")
        return True

    def _room(self, shown: str, size: int, stored: int) -> bool:
        """Is there room for a file of `size` bytes? Refuses it when not."""
        if size > self.max_file_bytes:
            self.refuse(shown, f"too large: {shown_size(size)}, more than the "
                        f"{shown_size(self.max_file_bytes)} a submitted file may have")
            return False
        if self._total + size > self.max_total_bytes:
            self.refuse(shown, f"the download holds more than "
                        f"{shown_size(self.max_total_bytes)} once uncompressed: this file "
                        "and the ones after it were not read (a zip bomb?)")
            self._total = self.max_total_bytes + 1
            return False
        return True

    def _write(self, src, dest: Path, shown: str, size: int, mtime: float) -> None:
        """Copy `src` to the new file `dest`, at most max_file_bytes of it."""
        dest.parent.mkdir(parents=True, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        try:
            fd = os.open(dest, flags, 0o644)
        except FileExistsError:
            self.refuse(shown, "a second file of the same name in the download")
            return
        written = 0
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := src.read(CHUNK):
                    written += len(chunk)
                    if written > self.max_file_bytes:
                        break
                    out.write(chunk)
        except BaseException:
            dest.unlink()  # nothing half-read is left behind
            raise
        if written > self.max_file_bytes:
            dest.unlink()
            self.refuse(shown, f"too large once uncompressed: more than "
                        f"{shown_size(self.max_file_bytes)}, though its header says "
                        f"{shown_size(size)} (a zip bomb?)")
            return
        self._total += written
        self._count += 1
        os.utime(dest, (mtime, mtime))


def fresh_folder(path: Path) -> Path:
    """An empty folder at `path` (what was there is removed), as zip_collect --force does."""
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path
