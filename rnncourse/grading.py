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


class Workspace:
    """A throwaway nbgrader course folder with the course's config and one assignment."""

    def __init__(self, path: Path, assignment: str, root: Path = REPO) -> None:
        self.path = Path(path)
        self.assignment = assignment
        self.path.mkdir(parents=True, exist_ok=True)
        shutil.copy(root / "nbgrader_config.py", self.path / "nbgrader_config.py")
        shutil.copytree(
            root / "source" / assignment, self.path / "source" / assignment, dirs_exist_ok=True
        )

    def generate(self) -> NotebookNode:
        """`nbgrader generate_assignment`; returns the student version it wrote."""
        check_nbgrader(self.path, "generate_assignment", self.assignment, "--force")
        return read_notebook(notebook_path("release", self.assignment, self.path))

    def generate_solution(self) -> NotebookNode:
        check_nbgrader(self.path, "generate_solution", self.assignment, "--force")
        return read_notebook(notebook_path("solutions", self.assignment, self.path))

    def submit(self, student: str, nb: NotebookNode) -> None:
        write_notebook(nb, notebook_path("submitted", self.assignment, self.path, student))

    def autograde(self, on_line: Callable[[str], None] | None = None) -> str:
        """Grade every submission; a submission nbgrader cannot grade is left ungraded."""
        return nbgrader(
            self.path, "autograde", self.assignment, "--create", "--force", on_line=on_line
        ).stdout

    def scores(self) -> dict[str, dict[str, CellScore] | None]:
        return read_scores(self.path, self.assignment, self.students())

    def students(self) -> list[str]:
        submitted = self.path / "submitted"
        return sorted(d.name for d in submitted.iterdir()) if submitted.is_dir() else []


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


def grade_submissions(
    workdir: Path,
    submissions: dict[str, dict[str, NotebookNode]],
    root: Path = REPO,
    workers: int = 2,
) -> dict[str, dict[str, dict[str, CellScore] | None]]:
    """Grade `{assignment: {student: notebook}}`, one workspace per assignment, in parallel."""

    def grade_one(assignment: str) -> dict[str, dict[str, CellScore] | None]:
        ws = Workspace(Path(workdir) / assignment, assignment, root)
        ws.generate()
        for student, nb in submissions[assignment].items():
            ws.submit(student, nb)
        ws.autograde()
        return ws.scores()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = pool.map(grade_one, submissions)
        return dict(zip(submissions, results))


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
