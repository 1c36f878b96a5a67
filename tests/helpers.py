"""What several test modules share: the lessons under test, their known classes, grading a class
in a scratch course, and reading notebooks. Test modules import these from here, never from one
another."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from nbformat import NotebookNode

from rnncourse.engine.course_folder import assignments, notebook_path, require_assignments
from rnncourse.engine.notebooks import (
    HIDDEN_BEGIN,
    HIDDEN_END,
    SOLUTION_BEGIN,
    SOLUTION_END,
    read_notebook,
)
from rnncourse.grading.gradebook import CellScore
from testing import REPO, known_class
from testing.plain_grader import PlainCourse
from testing.variants import Variant

# RNN_COURSE_ONLY=01_simple_rnn,03_lstm limits a run to some assignments (while writing one).
ONLY = [a for a in os.environ.get("RNN_COURSE_ONLY", "").split(",") if a]
ASSIGNMENTS = require_assignments(ONLY, REPO) if ONLY else assignments(REPO)
# Each lesson's mutants, alternatives and demo choice (testing.variants).
VARIANTS = REPO / "tests" / "variants"


def known(assignment: str) -> known_class.KnownClass:
    """The known class of one of the course's assignments."""
    return known_class.load(assignment, REPO, VARIANTS)


class _Lessons(Mapping):
    """Each assignment's known class, loaded the first time a test asks for it."""

    def __init__(self, names: list[str]) -> None:
        self._names, self._loaded = list(names), {}

    def __getitem__(self, name: str) -> known_class.KnownClass:
        if name not in self._names:
            raise KeyError(name)
        if name not in self._loaded:
            self._loaded[name] = known(name)
        return self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


# Each assignment's known class (testing.known_class): the pipeline tests grade all of it, but
# for the generated cheats (below).
LESSONS: Mapping[str, known_class.KnownClass] = _Lessons(ASSIGNMENTS)

# The generated cheats are the same ten tricks in every lesson, each aimed at one of the lesson's
# mutants. By default each trick is graded in a third of the lessons, in turn (every lesson gets
# three or four, every trick three lessons), which keeps `make test` within its time;
# RNN_COURSE_ALL_CHEATS=1 grades every trick in every lesson. The review's scan of the code
# (tests/test_integrity_rules.py) reads every cheat of every lesson either way.
ALL_CHEATS = os.environ.get("RNN_COURSE_ALL_CHEATS", "") not in ("", "0")
CHEAT_SHARE = 3


def graded_cheats(assignment: str) -> list[Variant]:
    """The generated cheats of `assignment` that the pipeline tests grade."""
    cheats = LESSONS[assignment].cheats
    if ALL_CHEATS:
        return list(cheats)
    tricks = sorted({cheat.name.split("__")[0] for cheat in cheats})
    turn = assignments(REPO).index(assignment)
    return [cheat for cheat in cheats
            if (tricks.index(cheat.name.split("__")[0]) - turn) % CHEAT_SHARE == 0]


def graded_class(assignment: str) -> list[str]:
    """The students of `assignment` the pipeline tests grade: all but the cheats left out."""
    left_out = {f"cheat_{cheat.name}" for cheat in LESSONS[assignment].cheats}
    left_out -= {f"cheat_{cheat.name}" for cheat in graded_cheats(assignment)}
    return [name for name in LESSONS[assignment].why if name not in left_out]


@dataclass
class Graded:
    """What grading one assignment gave: scores per student, and what could not be graded."""

    release: NotebookNode
    scores: dict[str, dict[str, CellScore] | None]
    problems: dict[str, str]
    course: Path

    def autograded(self, student: str) -> NotebookNode:
        """The notebook as nbgrader ran it for `student`."""
        assignment = self.course.joinpath("source").iterdir().__next__().name
        return read_notebook(notebook_path("autograded", assignment, self.course, student))


def grade_in_scratch(
    workdir: Path,
    submissions: dict[str, Callable[[NotebookNode], dict[str, NotebookNode | bytes]]],
    root: Path = REPO,
    workers: int = 2,
) -> dict[str, Graded]:
    """Grade several assignments, each in its own scratch course, `workers` at a time.

    `submissions[assignment]` receives the release notebook nbgrader generated and returns
    the class to grade, `{student: notebook or raw bytes}`; each class is graded by plain
    sequential `nbgrader autograde` (`PlainCourse.autograde`).
    """

    def grade_one(assignment: str) -> Graded:
        course = PlainCourse.scratch(Path(workdir) / assignment, [assignment], root)
        release = course.generate(assignment)
        for student, nb in submissions[assignment](release).items():
            course.submit(assignment, student, nb)
        problems = course.autograde(assignment)
        return Graded(release, course.scores(assignment), problems, course.path)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return dict(zip(submissions, pool.map(grade_one, submissions), strict=True))


def failed_ids(graded: Graded, student: str) -> set[str]:
    scores = graded.scores[student]
    assert scores is not None, f"{student} was not graded: {graded.problems.get(student)}"
    return {gid for gid, cell in scores.items() if not cell.passed}


def failure_messages(nb: NotebookNode, grade_ids: Iterable[str]) -> str:
    """What the test cells `grade_ids` of a graded notebook say when they fail, one a line."""
    wanted = set(grade_ids)
    return "\n".join(
        f"{output.get('ename')}: {output.get('evalue')}"
        for cell in nb.cells
        if cell.cell_type == "code" and cell.get("metadata", {}).get("nbgrader", {}).get(
            "grade_id") in wanted
        for output in cell.get("outputs", []) if output.get("output_type") == "error")


def cell_view(nb: NotebookNode) -> list[tuple]:
    """What must agree between notebooks: type, source and nbgrader metadata of every cell."""
    return [
        (cell.cell_type, cell.source, cell.get("metadata", {}).get("nbgrader"))
        for cell in nb.cells
        if cell.cell_type in ("code", "markdown")
    ]


def printed_text(nb: NotebookNode) -> str:
    """Everything a notebook's code cells printed (their stream outputs), in order."""
    return "".join(output.get("text", "") for cell in nb.cells if cell.cell_type == "code"
                   for output in cell.get("outputs", []))


def section_text(nb: NotebookNode, title: str) -> str:
    """The markdown of a notebook's level-2 section `title`, up to the next level-2 heading."""
    text = "\n\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"no section '## {title}'"
    return match.group(1)


def flat(text: str) -> str:
    """The text with every run of whitespace (line breaks included) made one space."""
    return " ".join(text.split())


def hidden_lines(source_nb: NotebookNode) -> set[str]:
    """Distinctive lines of the instructor-only regions: every line of a solution, and every
    line of a hidden test that the visible code of the test cells does not show anyway (a
    hidden check may call a probe the same way the visible one does)."""
    solutions, hidden, visible = set(), set(), set()
    for cell in source_nb.cells:
        region = None
        for line in cell.source.splitlines():
            marker = line.strip()
            if marker in (SOLUTION_BEGIN, HIDDEN_BEGIN):
                region = solutions if marker == SOLUTION_BEGIN else hidden
            elif marker in (SOLUTION_END, HIDDEN_END):
                region = None
            elif len(marker) > 25:
                (visible if region is None else region).add(marker)
    return solutions | (hidden - visible)


def zip_files(path: Path, files: Mapping[str, bytes]) -> Path:
    """A zip archive at `path` holding `files` ({name in the archive: bytes}), names as given
    (hostile ones included), as an LMS's submissions download would be."""
    import zipfile

    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=(2025, 1, 1, 12, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return path


def canvas_name(last_first: str, user_id: int, file_id: int, name: str, late: bool = False
                ) -> str:
    """A file's name in Canvas's submissions download: lastfirst[_LATE]_userid_fileid_name."""
    return f"{last_first}{'_LATE' if late else ''}_{user_id}_{file_id}_{name}"


def moodle_name(full_name: str, participant: int, name: str, plugin: str = "file") -> str:
    """A file's path in Moodle's submissions download (a folder per student and plugin)."""
    return f"{full_name}_{participant}_assignsubmission_{plugin}_/{name}"


def canvas_reupload_ids(name: str) -> tuple[str, str]:
    """(user id, file id) as Canvas's "Re-Upload Submissions" reads a file's name
    (Assignment#infer_comment_context_from_filename: the first two all-digit parts)."""
    digits = [part for part in Path(name).name.split("_") if re.fullmatch(r"\d+", part)]
    return digits[0], digits[1]


def moodle_upload_participant(path: str) -> tuple[str, str, str]:
    """(participant, plugin type, plugin) as Moodle's feedback zip import reads a path
    (assignfeedback_file_zip_importer::is_valid_filename_for_import)."""
    for part in path.split("/"):
        info = part.split("_", 4)
        if len(info) >= 4 and info[1].isdigit():
            return info[1], info[2], info[3]
    raise AssertionError(f"Moodle would not match {path!r} to a participant")


# Moodle's grading worksheet: its columns as mod/assign/gradingtable.php writes them for a
# download, titled with the English strings of mod/assign/lang/en/assign.php ("Maximum Grade":
# the later of its two definitions of `maxgrade`), and "Feedback comments", the comments
# plugin's field.
WORKSHEET_HEADER = ["Identifier", "Full name", "Email address", "Status", "Grade",
                    "Maximum Grade", "Grade can be changed", "Last modified (submission)",
                    "Last modified (grade)", "Feedback comments"]


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8",
              delimiter: str = ",", newline: str = "\r\n") -> Path:
    """`rows` as a CSV file written the way an LMS or a spreadsheet writes one."""
    import csv
    import io

    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator=newline).writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def read_csv(path: Path, encoding: str = "utf-8", delimiter: str = ",") -> list[list[str]]:
    import csv

    with open(path, newline="", encoding=encoding) as found:
        return list(csv.reader(found, delimiter=delimiter))


def fill_gradebook(grader, assignment: str, scores: dict[str, tuple[float, float]]) -> None:
    """The assignment with two graded cells, `first` (6 points) and `second` (4), each
    student's scores, and a feedback file for each, as grading leaves them."""
    from rnncourse.grading.gradebook import NotebookRows, SubmissionRows, write_submission

    gb = grader.gb
    gb.update_or_create_assignment(assignment)
    gb.update_or_create_notebook(assignment, assignment)
    for cell, points in (("first", 6), ("second", 4)):
        gb.update_or_create_grade_cell(cell, assignment, assignment, max_score=points,
                                       cell_type="code")
    for student, (first, second) in scores.items():
        write_submission(gb, SubmissionRows(assignment, student, None, {
            assignment: NotebookRows(True, {"first": first, "second": second})}))
        html = grader.root / "feedback" / student / assignment / f"{assignment}.html"
        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text(f"<html>{student}</html>")


def lms_course(folder: Path, assignment: str) -> PlainCourse:
    """A scratch course holding `assignment`, with an empty gradebook."""
    from rnncourse.grading.kits import empty_gradebook

    found = PlainCourse.scratch(folder, [assignment])
    (found.path / "gradebook.db").write_bytes(empty_gradebook(found.course_id))
    return found
