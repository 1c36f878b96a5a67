"""The course folder: its layout, its nbgrader settings, and grading a class with plain nbgrader.

The repository root is itself an nbgrader course folder (`nbgrader_config.py`, `source/`,
`release/`, `solutions/`); `Course` also makes scratch copies of it for the tests and the demo.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

from nbformat import NotebookNode

from .grading.gradebook import CellScore, read_scores, sqlite_url
from .nbgrader_run import check_nbgrader, errors_in_log, nbgrader, student_in_log_line
from .notebooks import notebook_problem, read_notebook, write_notebook

REPO = Path(__file__).resolve().parent.parent
CONFIG = "nbgrader_config.py"


class AssignmentError(Exception):
    """An assignment name that does not exist under source/."""


def assignments(root: Path = REPO) -> list[str]:
    """Every assignment under `root/source`, in lesson order."""
    source = root / "source"
    if not source.is_dir():
        return []
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


def load_config(root: Path = REPO):
    """The course's nbgrader settings, as nbgrader reads them from `root/nbgrader_config.py`."""
    from traitlets.config.loader import PyFileConfigLoader

    if not (Path(root) / CONFIG).is_file():
        raise FileNotFoundError(f"{Path(root) / CONFIG}: no nbgrader_config.py; run the command "
                                "in a course folder")
    return PyFileConfigLoader(CONFIG, path=str(root)).load_config()


def course_id(root: Path = REPO) -> str:
    """`CourseDirectory.course_id` of the course's nbgrader_config.py."""
    config = load_config(root)
    if "course_id" not in config.CourseDirectory or not config.CourseDirectory.course_id:
        raise ValueError(f"{Path(root) / CONFIG} sets no c.CourseDirectory.course_id")
    return config.CourseDirectory.course_id


def db_url(root: Path = REPO, config=None) -> str:
    """Where the course's gradebook is: `CourseDirectory.db_url`, else root/gradebook.db."""
    config = load_config(root) if config is None else config
    if "db_url" in config.CourseDirectory and config.CourseDirectory.db_url:
        return config.CourseDirectory.db_url
    return sqlite_url(Path(root) / "gradebook.db")


class Course:
    """An nbgrader course folder: the repository itself, or a scratch copy of it."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @classmethod
    def scratch(cls, path: Path, names: Iterable[str], root: Path = REPO) -> Course:
        """A fresh course folder with the course's config and the given assignments' sources."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        shutil.copy(root / CONFIG, path / CONFIG)
        for name in names:
            shutil.copytree(root / "source" / name, path / "source" / name, dirs_exist_ok=True)
        return cls(path)

    @property
    def course_id(self) -> str:
        return course_id(self.path)

    @property
    def db_url(self) -> str:
        return db_url(self.path)

    def config(self):
        """The course's nbgrader configuration, as nbgrader reads it from this folder."""
        return load_config(self.path)

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
        """Grade every submission of `assignment` with one sequential `nbgrader autograde`.

        Returns the ones that could not be graded. Unreadable notebooks are checked first and
        left out of nbgrader's run (they stay in submitted/ untouched), so one broken file
        never stops the rest of the class. A student nbgrader fails on (or a run that stops
        part-way) is graded again on their own, so that one submission cannot take the rest
        of the class with it; what still fails is reported with nbgrader's own words. A
        sandbox that cannot be made stops everything before any submission runs
        (`SandboxUnavailable`). `python -m rnncourse.grade` grades a class in parallel; this
        is plain nbgrader, the reference the tests compare it with.
        """
        from .sandbox import GradingSandbox

        GradingSandbox(config=self.config()).check()
        problems = {}
        for student in self.students(assignment):
            path = notebook_path("submitted", assignment, self.path, student)
            problem = notebook_problem(path)
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
        for student in self.students(assignment):
            # nbgrader removes a student's autograded folder when it fails on them, but may
            # have created their gradebook rows already: the notebook is the sign of success.
            if student in problems or self._autograded(assignment, student):
                continue
            alone = nbgrader(self.path, "autograde", assignment, "--create", "--force",
                             f"--student={student}")
            if not self._autograded(assignment, student):
                problems[student] = (
                    f"{notebook_path('submitted', assignment, self.path, student)}: "
                    f"nbgrader could not grade it:\n{errors_in_log(alone.stdout)}"
                )
        return problems

    def _autograded(self, assignment: str, student: str) -> bool:
        return (notebook_path("autograded", assignment, self.path, student).is_file()
                and self.scores(assignment, [student])[student] is not None)

    def scores(
        self, assignment: str, students: Iterable[str] | None = None
    ) -> dict[str, dict[str, CellScore] | None]:
        """Per student of submitted/ (or of `students`), every graded cell's score."""
        names = self.students(assignment) if students is None else list(students)
        return read_scores(self.db_url, self.course_id, assignment, names)
