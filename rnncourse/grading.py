"""Running nbgrader on a course folder and reading the grades back from its gradebook."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from nbformat import NotebookNode

from .notebooks import NotebookError, read_notebook, write_notebook

REPO = Path(__file__).resolve().parent.parent
COURSE_ID = "rnn-from-scratch"

# The notebooks set these too; setting them for the kernel keeps TF's start-up logs out of
# every graded notebook even when a student's set-up cell was changed.
QUIET_ENV = {"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0", "PYTHONWARNINGS": ""}


# nbgrader runs the `alembic` command of its own environment to manage the gradebook, so that
# environment's bin folder must be on PATH, also when .venv was never activated.
_BIN = str(Path(sys.executable).parent)
if _BIN not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = os.pathsep.join([_BIN, os.environ.get("PATH", "")])


class AssignmentError(Exception):
    """An assignment name that does not exist under source/."""


@dataclass(frozen=True)
class CellScore:
    score: float
    max_score: float

    @property
    def passed(self) -> bool:
        return self.score >= self.max_score


def assignments(root: Path = REPO) -> list[str]:
    """Every assignment under `root/source`, in lesson order."""
    source = root / "source"
    return sorted(
        d.name for d in source.iterdir() if d.is_dir() and (d / f"{d.name}.ipynb").is_file()
    )


def require_assignments(names: Iterable[str], root: Path = REPO) -> list[str]:
    known = assignments(root)
    names = list(names) or known
    unknown = [n for n in names if n not in known]
    if unknown:
        raise AssignmentError(
            f"no assignment {', '.join(map(repr, unknown))} under {root / 'source'} "
            f"(known: {', '.join(known)})"
        )
    return names


def notebook_path(folder: str, assignment: str, root: Path = REPO, student: str = "") -> Path:
    parts = [folder, student, assignment] if student else [folder, assignment]
    return root.joinpath(*parts) / f"{assignment}.ipynb"


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
    done = nbgrader(course, *args, **kwargs)
    if done.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed in {course}:\n{done.stdout}")
    return done.stdout


class Course:
    """An nbgrader course folder: the repository itself, or a scratch copy of it."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @classmethod
    def scratch(cls, path: Path, names: Iterable[str], root: Path = REPO) -> Course:
        """A fresh course folder with the course's config and the given assignments' sources."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        shutil.copy(root / "nbgrader_config.py", path / "nbgrader_config.py")
        for name in names:
            shutil.copytree(root / "source" / name, path / "source" / name, dirs_exist_ok=True)
        return cls(path)

    def generate(self, assignment: str) -> NotebookNode:
        """`nbgrader generate_assignment`; returns the student version it wrote."""
        check_nbgrader(self.path, "generate_assignment", assignment, "--force")
        return read_notebook(notebook_path("release", assignment, self.path))

    def submit(self, assignment: str, student: str, submission: NotebookNode | bytes) -> None:
        """Hand in a notebook (or, for broken files, raw bytes) as nbgrader expects it."""
        path = notebook_path("submitted", assignment, self.path, student)
        if isinstance(submission, bytes):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(submission)
        else:
            write_notebook(submission, path)

    def students(self, assignment: str) -> list[str]:
        submitted = self.path / "submitted"
        if not submitted.is_dir():
            return []
        return sorted(
            d.name for d in submitted.iterdir() if (d / assignment).is_dir()
        )

    def autograde(
        self, assignment: str, on_student: Callable[[str], None] | None = None
    ) -> dict[str, str]:
        """Grade every submission of `assignment`; returns the ones that could not be graded.

        Unreadable notebooks are checked first and left out of nbgrader's run (they stay in
        submitted/ untouched), so one broken file never stops the rest of the class. A student
        nbgrader fails on (or a run that stops part-way) is graded again on their own, so that
        one submission cannot take the rest of the class with it; what still fails is
        reported with nbgrader's own words. A sandbox that cannot be made stops everything
        before any submission runs (`SandboxUnavailable`).
        """
        from .sandbox import GradingSandbox

        GradingSandbox(config=self.config()).check()
        problems = {}
        for student in self.students(assignment):
            path = notebook_path("submitted", assignment, self.path, student)
            problem = usable_submission(path)
            if problem:
                problems[student] = problem

        def progress(line: str) -> None:
            student = student_in_log_line(line)
            if student and on_student:
                on_student(student)

        args = ["autograde", assignment, "--create", "--force"]
        if problems:
            args.append(f"--CourseDirectory.student_id_exclude={','.join(problems)}")
        nbgrader(self.path, *args, on_line=progress)
        graded = read_scores(self.path, assignment, self.students(assignment))
        for student, scores in graded.items():
            if scores is not None or student in problems:
                continue
            alone = nbgrader(self.path, "autograde", assignment, "--create", "--force",
                             f"--student={student}")
            if read_scores(self.path, assignment, [student])[student] is None:
                problems[student] = (
                    f"{notebook_path('submitted', assignment, self.path, student)}: "
                    f"nbgrader could not grade it:\n{_errors(alone.stdout)}"
                )
        return problems

    def config(self):
        """The course's nbgrader configuration, as nbgrader reads it from this folder."""
        from traitlets.config.loader import PyFileConfigLoader

        return PyFileConfigLoader("nbgrader_config.py", path=str(self.path)).load_config()

    def scores(self, assignment: str) -> dict[str, dict[str, CellScore] | None]:
        return read_scores(self.path, assignment, self.students(assignment))


def _errors(log: str, lines: int = 15) -> str:
    """nbgrader's error lines from a log (or its last lines when it has none)."""
    errors = [line for line in log.splitlines() if "| ERROR]" in line or "Error" in line]
    return "\n".join((errors or log.splitlines())[-lines:])


def read_scores(
    course: Path, assignment: str, students: Iterable[str]
) -> dict[str, dict[str, CellScore] | None]:
    """Per student, the score of every graded cell; None for a submission with no grades."""
    from nbgrader.api import Gradebook, MissingEntry

    result: dict[str, dict[str, CellScore] | None] = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id=COURSE_ID) as gb:
        for student in students:
            try:
                nb = gb.find_submission_notebook(assignment, assignment, student)
            except MissingEntry:
                result[student] = None
                continue
            result[student] = {g.name: CellScore(g.score, g.max_score) for g in nb.grades}
    return result


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
    the class to grade, `{student: notebook or raw bytes}`.
    """

    def grade_one(assignment: str) -> Graded:
        course = Course.scratch(Path(workdir) / assignment, [assignment], root)
        release = course.generate(assignment)
        for student, nb in submissions[assignment](release).items():
            course.submit(assignment, student, nb)
        problems = course.autograde(assignment)
        return Graded(release, course.scores(assignment), problems, course.path)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return dict(zip(submissions, pool.map(grade_one, submissions), strict=True))


CONVERTING = re.compile(r"Converting notebook .*[/\\]submitted[/\\]([^/\\]+)[/\\]")


def student_in_log_line(line: str) -> str | None:
    """The student whose notebook nbgrader starts on in this log line, if any."""
    match = CONVERTING.search(line)
    return match.group(1) if match else None


def usable_submission(path: Path) -> str | None:
    """None when `path` can be graded; otherwise why not, naming the file."""
    try:
        read_notebook(path)
    except NotebookError as err:
        return str(err)
    return None
