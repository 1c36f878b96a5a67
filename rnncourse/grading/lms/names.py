"""How Canvas and Moodle name the files of a submissions download, read with nbgrader's own
zip_collect collector: each format is a `FileNameCollectorPlugin` whose `named_regexp` gives
`student_id` and `file_id` (and what else the name holds), so the same classes also work with
`nbgrader zip_collect --collector=rnncourse.grading.lms.names.CanvasCollector`.

* Canvas ("Download Submissions"): one file per uploaded file, named
  `lastfirst_userid_fileid_originalname`, `lastfirst_LATE_userid_...` for late work (older
  Canvas: `last-first-late_userid_...`; a name that only ends in "late" is not late),
  `anon_XXXXX_fileid_...` when students are anonymous; a student's second upload of a file of
  the same name is `name-1.ipynb` (then `-2`, ...). The user id is the student's Canvas ID;
  the file id grows with every upload. A group's file carries the group's name and its
  representative's user id (rnncourse.grading.lms.groups).
* Moodle ("Download all submissions"): a folder per student and plugin,
  `Full Name_NNN_assignsubmission_file_/originalname` (without the last `_` since Moodle 4.1,
  or flat, `Full Name_NNN_assignsubmission_file_originalname`); NNN is the participant number,
  which Moodle draws per assignment. A team's folder is `Group name_GID_...` (GID: the
  group's id) or `Default group_...` without a number (rnncourse.grading.lms.groups).
* A folder of loose notebooks: `<student>.ipynb` (the assignment's name around it is
  dropped) or `<student>/<any>.ipynb`; or, when the course sets
  `c.FileNameCollectorPlugin.named_regexp` for `nbgrader zip_collect`, that expression.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath

from nbgrader.plugins import FileNameCollectorPlugin
from traitlets import Unicode
from traitlets.config import Config

# Late work is `_LATE_` (upper case, after the lower-cased name), or `-late` in older Canvas;
# a name that merely ends in "late" (`smithpilate`) is not.
CANVAS_RE = (r"(?:.*/)?(?:(?P<name>(?!anon_)[^/]*?)(?:_(?P<late>LATE)|-(?P<old_late>late))?_)?"
             r"(?P<student_id>\d+|anon_[A-Za-z0-9]+)_(?P<attachment_id>\d+)_"
             r"(?P<file_id>[^/]+)\Z")
# A team's folder has the group's id in place of the participant number, and the students in
# no group share one folder without a number (`Default group_assignsubmission_file`).
MOODLE_RE = (r"(?:.*/)?(?P<name>[^/_]+)(?:_(?P<student_id>\d+))?_assignsubmission_"
             r"(?P<plugin>[a-z]+)(?:_?/(?:.*/)?|_)(?P<file_id>[^/]+)\Z")
DEFAULT_TEAM = "group-default"  # the student id of Moodle's team of the students in no group
# What nbgrader may take as a student id: a folder name, never a path.
SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}\Z")
# A re-upload's number (Canvas: name-1.ipynb, or name-<uuid>.ipynb after 7), a browser's
# duplicate download (name (1).ipynb) and Colab's copy (Copy of name.ipynb).
RENAMED = re.compile(r"(?:-\d+|-[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}| \(\d+\))\Z")


class CanvasCollector(FileNameCollectorPlugin):
    """A file of Canvas's submissions download: the Canvas user id, the file id, late."""

    named_regexp = Unicode(CANVAS_RE).tag(config=True)

    def collect(self, submitted_file: str) -> dict | None:
        info = super().collect(submitted_file)
        if info is None:
            return None
        if info.get("name") == "LATE":  # LATE_anon_...: no name part
            info["name"], info["late"] = "", "LATE"
        info["late"] = bool(info.get("late") or info.pop("old_late", None))
        info["prefix"] = submitted_file.rsplit("/", 1)[-1][:-len(info["file_id"]) - 1]
        return meant(info)


class MoodleCollector(FileNameCollectorPlugin):
    """A file of Moodle's submissions download: the participant number and full name."""

    named_regexp = Unicode(MOODLE_RE).tag(config=True)

    def collect(self, submitted_file: str) -> dict | None:
        info = super().collect(submitted_file)
        if info is None:
            return None
        info["participant"] = info["student_id"]  # None: the default team's folder
        info["student_id"] = info["student_id"] or DEFAULT_TEAM
        info["prefix"] = "_".join(filter(None, (info["name"], info["participant"])))
        info["late"] = False
        return meant(info)


class LooseCollector(FileNameCollectorPlugin):
    """A folder of loose notebooks: the student is the file's stem, or its folder."""

    assignment = Unicode("").tag(config=False)

    def collect(self, submitted_file: str) -> dict | None:
        if self.named_regexp:  # the course's own zip_collect expression, as nbgrader uses it
            return super().collect(submitted_file)
        path = PurePosixPath(submitted_file)
        if path.suffix not in self.valid_ext:
            return None
        if len(path.parts) > 1:
            return meant({"student_id": path.parts[0], "file_id": path.name, "late": False})
        stem = path.stem
        for affix in (f"{self.assignment}_", f"{self.assignment}-"):
            stem = stem.removeprefix(affix)
        for affix in (f"_{self.assignment}", f"-{self.assignment}"):
            stem = stem.removesuffix(affix)
        return {"student_id": stem, "file_id": f"{self.assignment}{path.suffix}", "late": False}


def meant(info: dict) -> dict:
    """`file_id` as nbgrader names the notebook (the student's renamings undone, see
    `notebook_name`), the name as uploaded in `original`."""
    info["original"] = info["file_id"]
    if info["file_id"].lower().endswith(".ipynb"):
        info["file_id"] = f"{notebook_name(info['file_id'])}.ipynb"
    return info


COLLECTORS = {"canvas": CanvasCollector, "moodle": MoodleCollector, "folder": LooseCollector}
LMS_NAMES = {"canvas": "Canvas", "moodle": "Moodle", "folder": "a folder of loose notebooks"}


def collector(lms: str, config: Config, assignment: str) -> FileNameCollectorPlugin:
    """The collector of one format. Canvas's and Moodle's read only their own section of the
    course's config (`c.CanvasCollector.named_regexp`), never the zip_collect expression the
    course may set for its own files (`c.FileNameCollectorPlugin`), which the loose one uses."""
    cls = COLLECTORS[lms]
    own = Config()
    for section in ([cls.__name__] if lms != "folder" else
                    ["FileNameCollectorPlugin", cls.__name__]):
        if section in config:
            own[section] = config[section]
    found = cls(config=own)
    if lms == "folder":
        found.assignment = assignment
    return found


def detect(names: list[str]) -> str:
    """The format of a download from its files' paths: Moodle's folders, else Canvas's names,
    else loose notebooks."""
    if any(re.match(MOODLE_RE, name) for name in names):
        return "moodle"
    if any(re.match(CANVAS_RE, name) for name in names if name.endswith(".ipynb")):
        return "canvas"
    return "folder"


def notebook_name(name: str) -> str:
    """A notebook's name as the student meant it: without Canvas's re-upload number, a
    browser's `(1)` or Colab's `Copy of `, and without `.ipynb`."""
    stem = name[:-len(".ipynb")] if name.lower().endswith(".ipynb") else name
    stem = stem.strip()
    while True:
        if stem.lower().startswith("copy of "):
            stem = stem[len("copy of "):].strip()
        elif RENAMED.search(stem):
            stem = RENAMED.sub("", stem)
        else:
            return stem


def id_problem(student: str) -> str | None:
    """Why `student` cannot be an nbgrader student id (a folder name), or None."""
    if not SAFE_ID.match(student) or ".." in student:
        return (f"{student!r} cannot be a student id: only letters, digits and . _ @ + - "
                "are allowed, starting with a letter or digit")
    return None


def name_slug(full_name: str) -> str:
    """A student id from a Moodle full name: `Jane Doe` -> `jane_doe` (ASCII, lower case)."""
    ascii_name = unicodedata.normalize("NFKD", full_name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_")


def notebook_problem(file_id: str, assignment: str, known: list[str]) -> str | None:
    meant = notebook_name(file_id.rsplit("/", 1)[-1])
    if meant.casefold() == assignment.casefold():
        return None
    other = next((a for a in known if a.casefold() == meant.casefold()), None)
    if other:
        return f"another assignment's notebook ({other}), handed in to {assignment}"
    return (f"a notebook named {file_id!r}: this assignment's notebook is {assignment}.ipynb "
            f"(also taken: Canvas's re-upload {assignment}-1.ipynb, Colab's "
            f"'Copy of {assignment}.ipynb'); rename it and import again")
