"""An nbgrader course folder: its layout, its settings, and handing notebooks in to it.

A course folder holds `nbgrader_config.py`, `source/NN_topic/NN_topic.ipynb` and what nbgrader
makes beside them (`release/`, `submitted/`, `autograded/`, `feedback/`, the gradebook). Every
function here takes the folder (`root`) explicitly; nothing assumes where the package lives.
`Course` also makes scratch copies of a folder, as the grader's kits and the demo do.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

from nbformat import NotebookNode

from .nbgrader_run import check_nbgrader
from .notebooks import read_notebook, write_notebook

CONFIG = "nbgrader_config.py"


class AssignmentError(Exception):
    """An assignment name that does not exist under source/."""


def assignments(root: Path) -> list[str]:
    """Every assignment under `root/source`, in lesson order."""
    source = root / "source"
    if not source.is_dir():
        return []
    return sorted(
        d.name for d in source.iterdir() if d.is_dir() and (d / f"{d.name}.ipynb").is_file()
    )


def require_assignments(names: Iterable[str], root: Path) -> list[str]:
    known = assignments(root)
    names = list(names) or known
    unknown = [n for n in names if n not in known]
    if unknown:
        raise AssignmentError(
            f"no assignment {', '.join(map(repr, unknown))} under {root / 'source'} "
            f"(known: {', '.join(known)})"
        )
    return names


def add_course_option(parser) -> None:
    """The `--course DIR` option every command that works on a course folder takes."""
    parser.add_argument("--course", type=Path, default=Path.cwd(),
                        help="the course folder (default: the current folder)")


def notebook_path(folder: str, assignment: str, root: Path, student: str = "") -> Path:
    parts = [folder, student, assignment] if student else [folder, assignment]
    return root.joinpath(*parts) / f"{assignment}.ipynb"


def load_config(root: Path):
    """The course's nbgrader settings, as nbgrader reads them from `root/nbgrader_config.py`."""
    from traitlets.config.loader import PyFileConfigLoader

    if not (Path(root) / CONFIG).is_file():
        raise FileNotFoundError(f"{Path(root) / CONFIG}: no nbgrader_config.py; run the command "
                                "in a course folder")
    return PyFileConfigLoader(CONFIG, path=str(root)).load_config()


def sqlite_url(path: Path) -> str:
    """The URL of an SQLite gradebook file."""
    return f"sqlite:///{Path(path).resolve()}"


def course_id(root: Path) -> str:
    """`CourseDirectory.course_id` of the course's nbgrader_config.py."""
    config = load_config(root)
    if "course_id" not in config.CourseDirectory or not config.CourseDirectory.course_id:
        raise ValueError(f"{Path(root) / CONFIG} sets no c.CourseDirectory.course_id")
    return config.CourseDirectory.course_id


def db_url(root: Path, config=None) -> str:
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
    def scratch(cls, path: Path, names: Iterable[str], root: Path) -> Course:
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
