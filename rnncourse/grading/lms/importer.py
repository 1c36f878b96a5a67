"""A class's submissions from Canvas, Moodle or a folder, into submitted/ (`--from`).

    imported = import_class(grader, "01_simple_rnn", Path("submissions.zip"), roster)

nbgrader's zip_collect layout and plugins do the reading: the download is unpacked into
`downloaded/<assignment>/extracted/` by `SafeExtractor` (an nbgrader `ExtractorPlugin`,
rnncourse.grading.lms.archive) and every file's name is read by the format's
`FileNameCollectorPlugin` (rnncourse.grading.lms.names). Placing is this module's: each
student's newest notebook goes to `submitted/<student>/<assignment>/<assignment>.ipynb`, with
`timestamp.txt` (as zip_collect writes it) when the LMS gives the time, so that autograde
records it and applies the late rules. Who handed each file in (a student, or a group whose
notebook is graded once for all its members) is checked against the roster and the group set
(rnncourse.grading.lms.groups). Every file that is not placed is listed with the reason
(`Unplaced`), never guessed at: not a notebook, not JSON, another assignment's notebook, a
student the roster does not know, a name that is not the student's nor their group's, two
students claiming one id, a group member credited twice, an older upload.

What the LMS said about each placed student is kept for the export
(rnncourse.grading.lms.manifest).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ...engine.course_folder import assignments
from ...engine.notebooks import NotebookError, read_notebook
from ..problems import Stop
from ..records import replace_folder
from ..session import Grader
from .archive import SafeExtractor, fresh_folder
from .groups import GroupSet, identify, member_keys
from .manifest import remember
from .names import LMS_NAMES, collector, detect, id_problem, notebook_problem
from .roster import Roster, student_id

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
    placed: dict[str, dict] = field(default_factory=dict)
    unplaced: list[Unplaced] = field(default_factory=list)

    @property
    def bad(self) -> list[Unplaced]:
        return [u for u in self.unplaced if u.bad]

    def summary(self) -> str:
        return (f"{self.assignment}: imported {len(self.placed)} submissions from "
                f"{self.source.name} ({LMS_NAMES[self.lms]}); {len(self.bad)} files not "
                f"imported, {len(self.unplaced) - len(self.bad)} older uploads not used")


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
                 say=print, groups: GroupSet | None = None) -> Imported:
    """Put the download `source` (a zip archive or a folder) of `assignment` into submitted/;
    `roster`: the LMS's list of the class, `groups`: Canvas's export of the group set."""
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
    if groups is not None and done.lms != "canvas":
        raise Stop(f"--groups {groups.path.name} is Canvas's export of a group set, the "
                   f"download {source.name} is {LMS_NAMES[done.lms]}'s (Moodle's groups are in "
                   "its grading worksheet, the roster)")
    reader = collector(done.lms, grader.config, assignment)
    found = [c for name in sorted(files)
             if (c := candidate(reader, done, name, files[name], (roster, groups), known))]
    chosen = {student: pick for student, group in group_by_student(found, done).items()
              if (pick := newest(group, done)) is not None}
    for student, pick in without_double_credit(chosen, done).items():
        place(grader, assignment, pick)
        done.placed[student] = pick.entry
    remember(grader, assignment, done.lms, source, done.placed, roster)
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


def candidate(reader, done: Imported, name: str, path: Path,
              lists: tuple[Roster | None, GroupSet | None], known: list[str]
              ) -> Candidate | None:
    """The file `name` as a notebook of a student or a group, read by the format's collector
    `reader` and checked against the `lists` (roster, group set); None (and why, in
    `done.unplaced`) when it is not one."""
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
    who = identify(done.lms, info, *lists)
    if who.entry is None:
        return refuse(who.reason)
    entry = who.entry
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


def without_double_credit(chosen: dict[str, Candidate], done: Imported
                          ) -> dict[str, Candidate]:
    """The chosen notebooks, less every group's that would credit a student who is credited
    by another notebook too (their own, or another group's): that group's is listed."""
    credits: dict[str, list[str]] = defaultdict(list)
    for student, cand in chosen.items():
        for person in member_keys(done.lms, cand.entry):
            credits[person].append(student)
    kept = dict(chosen)
    for person, students in credits.items():
        if len(students) < 2:
            continue
        for student in students:
            if chosen[student].entry.get("group") and kept.pop(student, None):
                others = ", ".join(s for s in students if s != student)
                done.unplaced.append(Unplaced(
                    done.assignment, chosen[student].file, f"the group's member {person} is "
                    f"credited by {others} too; the group's file is not imported"))
    return kept


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
