"""A class's submissions from Canvas, Moodle or a folder, into submitted/ (`--from`).

    imported = import_class(grader, "01_simple_rnn", Path("submissions.zip"), roster)

nbgrader's zip_collect layout and plugins do the reading: the download is unpacked into
`downloaded/<assignment>/extracted/` by `SafeExtractor` (an nbgrader `ExtractorPlugin`,
rnncourse.grading.lms.archive) and every file's name is read by the format's
`FileNameCollectorPlugin` (rnncourse.grading.lms.names). Placing is this module's: each
student's newest notebook goes to `submitted/<student>/<assignment>/<assignment>.ipynb`, with
`timestamp.txt` (as zip_collect writes it) when the LMS gives the time, so that autograde
records it and applies the late rules. Every file that is not placed is listed with the reason
(`Unplaced`), never guessed at: not a notebook, not JSON, another assignment's notebook, a
student the roster does not know, two students claiming one id, an older upload.

What the LMS said about each placed student (its ids, names, late flag, time, and the file
name its bulk feedback upload matches) is kept in `.grading/lms/<assignment>.json`, next to
the gradebook, which gets the names and emails (nbgrader's Student rows, with the Canvas user
id as `lms_user_id`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ...engine.course_folder import assignments
from ...engine.notebooks import NotebookError, read_notebook
from ..gradebook import one_transaction
from ..problems import Stop
from ..records import replace_folder
from ..session import Grader
from .archive import SafeExtractor, fresh_folder
from .names import LMS_NAMES, collector, detect, id_problem, notebook_problem
from .roster import Roster, lms_entry, student_id

NAMES_LIKE = {
    "canvas": "Canvas names a submissions download's files (lastfirst_userid_fileid_name)",
    "moodle": "Moodle names a submissions download's folders "
              "(Full Name_NNN_assignsubmission_file_/name)",
    "folder": "this course names loose notebooks (<student>.ipynb or <student>/<name>.ipynb)"}


@dataclass(frozen=True)
class Unplaced:
    """A file of the download that was not put into submitted/, and why."""

    assignment: str
    file: str
    reason: str
    bad: bool = True  # False: left out on purpose (an older upload of a placed student)

    def line(self) -> str:
        tag = "NOT IMPORTED" if self.bad else "NOT USED"
        return f"{tag} {self.assignment}: {self.file}: {self.reason}"


@dataclass
class Candidate:
    """A notebook of the download that names its student and the assignment."""

    file: str            # as the download names it
    path: Path           # where it was unpacked
    student: str         # the nbgrader student id
    entry: dict          # what the LMS says of the student (the manifest's entry)
    order: float         # larger is newer


@dataclass
class Imported:
    assignment: str
    source: Path
    lms: str = "folder"
    label: str = ""            # how the files of the download are named: "canvas.zip:"
    column: str | None = None  # the assignment's column title in the roster (Canvas)
    placed: dict[str, dict] = field(default_factory=dict)
    unplaced: list[Unplaced] = field(default_factory=list)

    @property
    def bad(self) -> list[Unplaced]:
        return [u for u in self.unplaced if u.bad]

    def summary(self) -> str:
        return (f"{self.assignment}: imported {len(self.placed)} submissions from "
                f"{self.source.name} ({LMS_NAMES[self.lms]}); {len(self.bad)} files not "
                f"imported, {len(self.unplaced) - len(self.bad)} older uploads not used")


def manifest_path(grader: Grader, assignment: str) -> Path:
    return grader.state / "lms" / f"{assignment}.json"


def read_manifest(grader: Grader, assignment: str) -> dict:
    try:
        found = json.loads(manifest_path(grader, assignment).read_text())
    except (OSError, json.JSONDecodeError):
        return {"students": {}}
    return found if isinstance(found, dict) and "students" in found else {"students": {}}


def extracted_folder(grader: Grader, assignment: str) -> Path:
    """zip_collect's `downloaded/<assignment>/extracted/`, as the course configures it."""
    from nbgrader.apps.zipcollectapp import ZipCollectApp

    own = grader.config.ZipCollectApp if "ZipCollectApp" in grader.config else {}
    traits = ZipCollectApp.class_traits()

    def setting(name):
        return own.get(name, traits[name].default_value)

    rel = setting("collect_directory_structure").format(
        downloaded=setting("downloaded_directory"), assignment_id=assignment,
        collect_step=setting("extracted_directory"))
    return grader.root / rel


def import_class(grader: Grader, assignment: str, source: Path, roster: Roster | None = None,
                 say=print) -> Imported:
    """Put the download `source` (a zip archive or a folder) of `assignment` into submitted/."""
    source = Path(source).resolve()
    done = Imported(assignment, source)
    known = assignments(grader.root)
    if assignment not in known:
        done.unplaced.append(Unplaced(assignment, str(source), "no such assignment in this "
                                      f"course (known: {', '.join(known)}); nothing imported"))
        return done
    files = unpack(grader, assignment, source, done)
    done.lms = detect(sorted(files))
    if done.lms == "folder" and source.is_file():
        files = without_common_folder(files)
    if roster is not None and roster.lms != done.lms:
        raise Stop(f"the roster {roster.path} is {LMS_NAMES[roster.lms]}'s, the download "
                   f"{source.name} is {LMS_NAMES[done.lms]}")
    reader = collector(done.lms, grader.config, assignment)
    found = [c for name in sorted(files)
             if (c := candidate(reader, done, name, files[name], roster, known))]
    for student, group in group_by_student(found, done).items():
        chosen = newest(group, done)
        if chosen is not None:
            place(grader, assignment, chosen)
            done.placed[student] = chosen.entry
    if roster is not None:
        done.column = roster.columns.get(assignment)
    remember(grader, done)
    say(done.summary())
    return done


def unpack(grader: Grader, assignment: str, source: Path, done: Imported) -> dict[str, Path]:
    """Unpack `source` into zip_collect's extracted folder: {name in the download: path}."""
    if not source.exists():
        raise Stop(f"--from {source}: no such file or folder")
    extracted = extracted_folder(grader, assignment).resolve()
    if source == extracted or source.is_relative_to(extracted) or extracted.is_relative_to(
            source):
        raise Stop(f"--from {source}: the import clears {extracted}, so it cannot read from "
                   "there; give the downloaded archive, or a folder elsewhere")
    root = fresh_folder(extracted) / (source.stem if source.is_file() else source.name)
    root.mkdir()
    extractor = SafeExtractor(config=grader.config)
    if source.is_file():
        extractor.extract_zip(source, root, f"{source.name}:")
    else:
        extractor.extract(str(source), str(root))
    done.label = f"{source.name}:" if source.is_file() else f"{source.name}/"
    for name, reason in extractor.problems:
        shown = name if source.is_file() else done.label + name
        done.unplaced.append(Unplaced(assignment, shown, reason))
    return {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file()}


def without_common_folder(files: dict[str, Path]) -> dict[str, Path]:
    """Loose notebooks zipped with the folder around them: the names inside that folder."""
    tops = {name.split("/", 1)[0] for name in files}
    if len(tops) == 1 and all("/" in name for name in files):
        return {name.split("/", 1)[1]: path for name, path in files.items()}
    return files


def candidate(reader, done: Imported, name: str, path: Path, roster: Roster | None,
              known: list[str]) -> Candidate | None:
    """The file `name` as a notebook of a student, read by the format's collector `reader`;
    None (and why, in `done.unplaced`) when it is not one."""
    assignment = done.assignment

    def refuse(reason: str) -> None:
        done.unplaced.append(Unplaced(assignment, done.label + name, reason))

    if done.lms != "folder" and not re.match(reader.named_regexp, name):
        return refuse(f"not named as {NAMES_LIKE[done.lms]}")
    if not name.lower().endswith(".ipynb"):
        suffix = Path(name).suffix or "no extension"
        return refuse(f"not a notebook ({suffix}): only .ipynb files are graded")
    info = reader.collect(name)
    if info is None:
        return refuse(f"not named as {NAMES_LIKE[done.lms]}")
    entry = lms_entry(done.lms, info, roster)
    if entry is None:
        return refuse(f"the roster {roster.path.name} has no student "
                      f"{info.get('student_id')} ({info.get('name') or 'no name'})")
    student = student_id(done.lms, entry)
    problem = id_problem(student) or notebook_problem(info.get("original", info["file_id"]),
                                                     assignment, known)
    if problem is None:
        try:
            read_notebook(path)
        except NotebookError as err:
            problem = err.problem
    if problem:
        return refuse(problem)
    entry["file"] = name
    order = float(info["attachment_id"]) if done.lms == "canvas" else path.stat().st_mtime
    return Candidate(done.label + name, path, student, entry, order)


def group_by_student(found: list[Candidate], done: Imported) -> dict[str, list[Candidate]]:
    """The candidates by student id, without the ids two students claim (both are listed)."""
    groups: dict[str, list[Candidate]] = defaultdict(list)
    for cand in found:
        groups[cand.student].append(cand)
    for student, group in list(groups.items()):
        people = {(c.entry["lms_id"], c.entry.get("download_name", c.entry["name"]))
                  for c in group}
        if len(people) > 1:
            who = " and ".join(f"{name or 'no name'} ({lms_id})"
                               for lms_id, name in sorted(people))
            for cand in group:
                done.unplaced.append(Unplaced(
                    done.assignment, cand.file, f"two students claim the student id "
                    f"{student}: {who}; neither is imported"))
            del groups[student]
    return groups


def newest(group: list[Candidate], done: Imported) -> Candidate | None:
    """A student's newest notebook; the others are listed. None when nothing tells which."""
    group = sorted(group, key=lambda c: c.order, reverse=True)
    if len(group) > 1 and group[0].order == group[1].order:
        files = ", ".join(c.file for c in group)
        for cand in group:
            done.unplaced.append(Unplaced(
                done.assignment, cand.file, f"{len(group)} notebooks of one student and "
                f"nothing tells which is newer ({files}); none is imported"))
        return None
    how = ("Canvas numbers the files in the order they were uploaded" if done.lms == "canvas"
           else "by the time the download gives it")
    for cand in group[1:]:
        done.unplaced.append(Unplaced(done.assignment, cand.file, f"an older upload of "
                                      f"{group[0].student}: {group[0].file} is newer ({how})",
                                      bad=False))
    return group[0]


def place(grader: Grader, assignment: str, chosen: Candidate) -> None:
    """submitted/<student>/<assignment>/: the notebook, and timestamp.txt when known."""
    incoming = grader.state / "incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix="lms-", dir=incoming))
    try:
        shutil.copyfile(chosen.path, staged / f"{assignment}.ipynb")
        if chosen.entry.get("timestamp"):
            (staged / "timestamp.txt").write_text(chosen.entry["timestamp"])
        target = grader.root / "submitted" / chosen.student / assignment
        if not target.resolve().is_relative_to((grader.root / "submitted").resolve()):
            raise Stop(f"refusing to write outside {grader.root / 'submitted'}: {target}")
        replace_folder(target, staged)
    finally:
        shutil.rmtree(staged, ignore_errors=True)


def remember(grader: Grader, done: Imported) -> None:
    """The manifest (merged with an earlier import's) and the gradebook's Student rows."""
    manifest = read_manifest(grader, done.assignment)
    manifest.update(lms=done.lms, source=str(done.source),
                    imported_at=datetime.now(UTC).isoformat(timespec="seconds"))
    manifest["students"].update(done.placed)
    if done.column:
        manifest["column"] = done.column
    path = manifest_path(grader, done.assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True))
    os.replace(tmp, path)
    with one_transaction(grader.gb):
        for student, entry in done.placed.items():
            known = {key: entry.get(key) for key in ("first_name", "last_name", "email")}
            if done.lms == "canvas":
                known["lms_user_id"] = entry["lms_id"]
            grader.gb.update_or_create_student(
                student, **{key: value for key, value in known.items() if value})
