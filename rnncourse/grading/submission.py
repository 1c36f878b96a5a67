"""Grading one submission in a scratch course folder of its own: the unit of work of the grader.

The grading command prepares once per assignment an `AssignmentKit` (rnncourse.grading.kits):
the course's nbgrader_config.py, the assignment's source folder and a small SQLite gradebook
that holds only the assignment's cells, copied from the course gradebook. Each task carries the
kit and one `Submission` (the files of submitted/<student>/<assignment>/), so it needs no shared
filesystem: `grade_submission` builds a scratch course in a temporary folder, runs nbgrader's
autograde and generate_feedback there for that one student (so the course's config, the
sandbox and the student's kernel apply exactly as for `nbgrader autograde`), and returns an
`Outcome`: the autograded and feedback folders as bytes and the rows nbgrader recorded. Only
the command's own process writes the course: the course gradebook never sees two writers.

nbgrader runs inside the calling process (one worker process of a local pool, or a Dask worker),
which keeps nbgrader's start-up out of every submission's cost; the student's code runs in the
sandboxed kernel, never here. One process grades one submission at a time.
"""

from __future__ import annotations

import fnmatch
import hashlib
import logging
import os
import shutil
import socket
import tempfile
import threading
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from ..engine.nbgrader_run import QUIET_ENV, environment_on_path, errors_in_log
from ..engine.scratch import scratch_folder, sweep
from .gradebook import SubmissionRows, open_gradebook, sqlite_url, submission_rows

CONFIG = "nbgrader_config.py"
# nbgrader's CourseDirectory.ignore default: never carried, as nbgrader never copies them.
IGNORED = (".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback")
_ONE_AT_A_TIME = threading.Lock()
_SWEPT: set[str] = set()  # the folders this process has swept already


@dataclass(frozen=True)
class AssignmentKit:
    """What every task of one assignment needs, made once by the client."""

    assignment: str
    course_id: str
    config: bytes                 # the course's nbgrader_config.py
    source: dict[str, bytes]      # source/<assignment>/ files, by path inside that folder
    gradebook: bytes              # SQLite gradebook holding only this assignment's cells
    fingerprint: str              # digest of those cells (rnncourse.grading.gradebook.fingerprint)


@dataclass(frozen=True)
class Submission:
    """One student's submitted/<student>/<assignment>/ folder."""

    student: str
    files: dict[str, bytes]

    @property
    def digest(self) -> str:
        return digest_files(self.files)


@dataclass
class Outcome:
    """What grading one submission gave; `problem` is set when it could not be graded."""

    assignment: str
    student: str
    digest: str
    problem: str | None = None
    rows: SubmissionRows | None = None
    autograded: dict[str, bytes] = field(default_factory=dict)
    feedback: dict[str, bytes] = field(default_factory=dict)
    seconds: float = 0.0
    worker: str = ""


class SandboxMissing(RuntimeError):
    """The machine running a task cannot make the grading sandbox: no task can run there."""


def digest_files(files: dict[str, bytes]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        data = files[name]
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def read_folder(folder: Path, ignore: tuple[str, ...] = IGNORED) -> dict[str, bytes]:
    """Every file under `folder` (path inside it -> bytes), skipping nbgrader's ignored names."""
    files = {}
    for path in sorted(Path(folder).rglob("*")):
        rel = path.relative_to(folder)
        if any(fnmatch.fnmatch(part, pattern) for part in rel.parts for pattern in ignore):
            continue
        if path.is_file() and not path.is_symlink():
            files[rel.as_posix()] = path.read_bytes()
    return files


def write_folder(folder: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        path = Path(folder) / name
        if ".." in Path(name).parts or Path(name).is_absolute():
            raise ValueError(f"refusing to write {name!r} outside {folder}")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def nbgrader_config(root: Path, assignment: str, student: str, course_id: str):
    """The configuration `nbgrader autograde` would use in `root`, for one student.

    Jupyter's config folders first (as nbgrader reads them), then the course's file, then the
    scratch course's own place and gradebook, which nothing may override.
    """
    from jupyter_core.paths import jupyter_config_path
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    config = Config()
    for folder in reversed(jupyter_config_path()):
        if (Path(folder) / CONFIG).is_file():
            config.merge(PyFileConfigLoader(CONFIG, path=folder).load_config())
    config.merge(PyFileConfigLoader(CONFIG, path=str(root)).load_config())
    config.CourseDirectory.root = str(root)
    config.CourseDirectory.db_url = sqlite_url(root / "gradebook.db")
    config.CourseDirectory.course_id = course_id
    config.CourseDirectory.assignment_id = assignment
    config.CourseDirectory.student_id = student
    return config


def _run(converter_class, config, log: logging.Logger, **attrs) -> dict:
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.utils import capture_log

    coursedir = CourseDirectory(config=config)
    converter = converter_class(coursedir=coursedir, config=config, log=log)
    for name, value in attrs.items():
        setattr(converter, name, value)
    with environment_on_path():  # nbgrader's `alembic`, for the scratch gradebook
        return capture_log(converter)


def generate_assignment(root: Path, assignment: str, course_id: str) -> str:
    """`nbgrader generate_assignment` in the scratch course `root`; returns its gradebook URL."""
    from nbgrader.converters import GenerateAssignment

    config = nbgrader_config(root, assignment, "*", course_id)
    log = logging.getLogger(f"rnncourse.grading.submission.{os.getpid()}")
    log.propagate = False
    done = _run(GenerateAssignment, config, log, force=True)
    if not done["success"]:
        raise RuntimeError(f"nbgrader generate_assignment {assignment} failed in {root}:\n"
                           f"{done.get('log', '')}{done.get('error', '')}")
    return config.CourseDirectory.db_url


def sweep_once(box_root: str) -> None:
    """Once per process: remove the scratch folders (and sandbox boxes) that a killed grading
    process left on this machine (rnncourse.engine.scratch; folders of live processes stay)."""
    for where in (tempfile.gettempdir(), box_root):
        if where not in _SWEPT:
            _SWEPT.add(where)
            sweep(where)


def grade_submission(kit: AssignmentKit, submission: Submission) -> Outcome:
    """Grade one submission in a scratch course of its own; never raises for a bad submission.

    Raises `SandboxMissing` when this machine cannot make the grading sandbox (nothing of the
    student's has run then).
    """
    import sqlalchemy.exc

    with _ONE_AT_A_TIME, warnings.catch_warnings():
        # nbgrader's own API use makes SQLAlchemy warn about autoflush; nothing to act on.
        warnings.simplefilter("ignore", sqlalchemy.exc.SAWarning)
        return _grade(kit, submission)


def _grade(kit: AssignmentKit, submission: Submission) -> Outcome:
    from nbgrader.converters import Autograde, GenerateFeedback

    from ..engine.sandbox import GradingSandbox, SandboxUnavailable, require_sandbox

    started = time.perf_counter()
    a, s = kit.assignment, submission.student
    outcome = Outcome(a, s, submission.digest, worker=f"{socket.gethostname()}:{os.getpid()}")
    os.environ.update(QUIET_ENV)
    log = logging.getLogger(f"rnncourse.grading.submission.{os.getpid()}")
    log.propagate = False
    log.setLevel(logging.INFO)
    with scratch_folder("rnncourse-grade-") as tmp:
        root = Path(tmp) / "course"
        root.mkdir()
        (root / CONFIG).write_bytes(kit.config)
        (root / "gradebook.db").write_bytes(kit.gradebook)
        write_folder(root / "source" / a, kit.source)
        write_folder(root / "submitted" / s / a, submission.files)
        config = nbgrader_config(root, a, s, kit.course_id)
        try:
            require_sandbox(config)
        except SandboxUnavailable as err:
            raise SandboxMissing(f"{outcome.worker}: {err}") from None
        sweep_once(GradingSandbox(config=config).box_root)

        graded = _run(Autograde, config, log, force=True, create_student=True)
        autograded = root / "autograded" / s / a
        notebooks = [n for n in submission.files if "/" not in n and n.endswith(".ipynb")]
        if not graded["success"] or not any((autograded / n).is_file() for n in notebooks):
            why = graded.get("log", "") + graded.get("error", "")
            outcome.problem = f"nbgrader could not grade it:\n{errors_in_log(why)}"
            outcome.seconds = time.perf_counter() - started
            return outcome
        feedback_config = nbgrader_config(root, a, s, kit.course_id)
        feedback_config.HTMLExporter.template_name = "feedback"
        returned = _run(GenerateFeedback, feedback_config, log, force=True)
        if not returned["success"]:
            why = returned.get("log", "") + returned.get("error", "")
            outcome.problem = f"nbgrader could not write its feedback:\n{errors_in_log(why)}"
            outcome.seconds = time.perf_counter() - started
            return outcome
        with open_gradebook(sqlite_url(root / "gradebook.db"), kit.course_id) as gb:
            outcome.rows = submission_rows(gb, a, s, (n[:-len(".ipynb")] for n in notebooks))
        outcome.autograded = read_folder(autograded, ignore=())
        outcome.feedback = read_folder(root / "feedback" / s / a, ignore=())
        shutil.rmtree(root, ignore_errors=True)
    outcome.seconds = time.perf_counter() - started
    return outcome
