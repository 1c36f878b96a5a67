"""Grade a class in one command: every submission of some assignments, in parallel, into the course.

    python -m rnncourse.grade ASSIGNMENT [ASSIGNMENT ...] [--workers N]
        [--scheduler tcp://HOST:8786] [--db URL] [--force] [--course DIR]

Run in a course folder after `nbgrader zip_collect` or `nbgrader collect`. Every submission in
submitted/<student>/<assignment>/ is graded in a scratch course of its own (rnncourse.submission),
in the grading sandbox, N at a time on this machine (default: one per core) or on a Dask
cluster (`--scheduler`). This process alone writes the course: the gradebook rows (SQLite, or
`--db postgresql://...`), autograded/ and feedback/, as `nbgrader autograde` and
`nbgrader generate_feedback` would. Then grades.csv (`nbgrader export`), a table per assignment
of every check with the share of the class that passed it, and a PNG with the grade histogram.

Resumable: a submission already graded, unchanged since, is not graded again (unless --force);
after an interruption the same command finishes the rest. A submission that cannot be graded
is reported (student, file, reason) and the others go on. Exit status: 0 when every submission
was graded, 1 when some could not be, 2 when nothing could run (no sandbox, no database, no
scheduler), 130 when interrupted.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import logging
import multiprocessing
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .course import CONFIG, Course, assignments, course_id, db_url, load_config
from .gradebook import (
    GradebookError,
    copy_assignment,
    fingerprint,
    has_assignment,
    late_penalties,
    open_gradebook,
    read_scores,
    shown,
    sqlite_url,
    write_submission,
)
from .notebooks import NotebookError, grade_id, read_notebook
from .submission import (
    IGNORED,
    AssignmentKit,
    Outcome,
    SandboxMissing,
    Submission,
    generate_assignment,
    grade_submission,
    read_folder,
)

STATE = ".grading"      # what was graded (one record per submission), worker logs
REPORTS = "reports"     # one table and one PNG per assignment


class Stop(Exception):
    """Nothing can be graded (no sandbox, database or scheduler): the message says what to do."""


@dataclass
class Problem:
    assignment: str
    student: str
    path: Path
    reason: str

    def line(self) -> str:
        who = f"{self.assignment} · {self.student}" if self.student else self.assignment
        return f"NOT GRADED {who}: {self.path}: {self.reason}"


@dataclass
class Plan:
    """One assignment: its kit, the submissions to grade, the ones skipped, the bad ones."""

    assignment: str
    kit: AssignmentKit | None = None
    todo: list[Submission] = field(default_factory=list)
    up_to_date: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class Check:
    """One graded cell of an assignment and how the class did on it."""

    name: str
    points: float
    what: str
    passed: int
    graded: int

    @property
    def share(self) -> float:
        return self.passed / self.graded if self.graded else 0.0


class Grader:
    """Grades submissions of one course folder; the only writer of its gradebook and folders."""

    def __init__(self, root: Path, db: str | None = None, force: bool = False,
                 say: Callable[[str], None] = print) -> None:
        self.root = Path(root).resolve()
        try:
            self.config = load_config(self.root)
            self.course_id = course_id(self.root)
        except (FileNotFoundError, ValueError) as err:
            raise Stop(str(err)) from err
        self.db = db or db_url(self.root, self.config)
        self.force = force
        self.say = say
        self.state = self.root / STATE
        self.state.mkdir(exist_ok=True)
        self._lock = open(self.state / "lock", "w")  # noqa: SIM115 -- held until close()
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            raise Stop(f"another grading command is running in {self.root} (it holds "
                       f"{self.state / 'lock'}); wait for it to finish") from None
        # Results an interrupted run had staged but not put in place: graded again below.
        shutil.rmtree(self.state / "incoming", ignore_errors=True)
        self._gb_context = open_gradebook(self.db, self.course_id)
        try:
            self.gb = self._gb_context.__enter__()
        except GradebookError as err:
            raise Stop(str(err)) from err
        self.penalties = late_penalties(self.config)
        self.ignore = tuple(self.config.CourseDirectory.ignore) if (
            "ignore" in self.config.CourseDirectory) else IGNORED
        self.kit_fingerprints: dict[str, str] = {}
        self._empty: bytes | None = None

    def close(self) -> None:
        self._gb_context.__exit__(None, None, None)
        self._lock.close()

    # -- what to grade -------------------------------------------------------------------
    def plan(self, assignment: str) -> Plan:
        plan = Plan(assignment)
        source = self.root / "source" / assignment
        if not (source / f"{assignment}.ipynb").is_file():
            known = ", ".join(assignments(self.root)) or "none"
            plan.problems.append(Problem(assignment, "", source / f"{assignment}.ipynb",
                                         f"no such assignment in this course (known: {known})"))
            return plan
        plan.kit, expected = self.kit(assignment)
        graded = self.graded_in_gradebook(assignment)
        submitted = self.root / "submitted"
        folders = sorted(d / assignment for d in submitted.iterdir()
                         if (d / assignment).is_dir()) if submitted.is_dir() else []
        for folder in folders:
            student = folder.parent.name
            files = read_folder(folder, self.ignore)
            problem = self.check_submission(folder, files, expected)
            if problem:
                plan.problems.append(Problem(assignment, student, *problem))
                continue
            sub = Submission(student, files)
            if not self.force and self.up_to_date(plan.kit, sub, student in graded):
                plan.up_to_date.append(student)
            else:
                plan.todo.append(sub)
        return plan

    def kit(self, assignment: str) -> tuple[AssignmentKit, dict[str, set[str]]]:
        """The assignment's kit, and the grade ids each of its notebooks must hold."""
        if not has_assignment(self.gb, assignment):
            self.say(f"{assignment}: the gradebook has no cells of it yet; recording them from "
                     f"source/{assignment} (as `nbgrader generate_assignment` does)")
            with tempfile.TemporaryDirectory(prefix="rnncourse-generate-") as tmp:
                scratch = Course.scratch(Path(tmp) / "course", [assignment], self.root)
                (scratch.path / "gradebook.db").write_bytes(self.empty_gradebook())
                url = generate_assignment(scratch.path, assignment, self.course_id)
                with open_gradebook(url, self.course_id) as generated:
                    copy_assignment(generated, self.gb, assignment)
        with tempfile.TemporaryDirectory(prefix="rnncourse-kit-") as tmp:
            path = Path(tmp) / "gradebook.db"
            path.write_bytes(self.empty_gradebook())
            with open_gradebook(sqlite_url(path), self.course_id) as kit_gb:
                copy_assignment(self.gb, kit_gb, assignment)
                digest = fingerprint(kit_gb, assignment)
                expected = {nb.name: {c.name for c in nb.grade_cells}
                            for nb in kit_gb.find_assignment(assignment).notebooks}
            kit = AssignmentKit(
                assignment=assignment, course_id=self.course_id,
                config=(self.root / CONFIG).read_bytes(),
                source=read_folder(self.root / "source" / assignment),
                gradebook=path.read_bytes(), fingerprint=digest)
        return kit, expected

    def empty_gradebook(self) -> bytes:
        """An empty SQLite gradebook of this course, made once (a new gradebook costs nbgrader
        an `alembic` run to find its schema version)."""
        if self._empty is None:
            with tempfile.TemporaryDirectory(prefix="rnncourse-empty-") as tmp:
                path = Path(tmp) / "gradebook.db"
                with open_gradebook(sqlite_url(path), self.course_id):
                    pass
                self._empty = path.read_bytes()
        return self._empty

    @staticmethod
    def check_submission(folder: Path, files: dict[str, bytes],
                         expected: dict[str, set[str]]) -> tuple[Path, str] | None:
        """(file, reason) when nbgrader cannot grade this folder as it is; None when it can."""
        found = sorted(n for n in files if "/" not in n and n.endswith(".ipynb"))
        wanted = [f"{name}.ipynb" for name in sorted(expected)]
        if not found:
            others = f" (it holds {', '.join(sorted(files)[:5])})" if files else " (it is empty)"
            return folder, f"no notebook in the student's folder{others}; expected " \
                f"{', '.join(wanted)}"
        present = [n for n in wanted if n in found]
        if not present:
            return folder / found[0], (
                f"a notebook under the wrong name: nbgrader grades only {', '.join(wanted)}; "
                f"found {', '.join(found)}. Rename it and grade again")
        for name in present:
            path = folder / name
            try:
                nb = read_notebook(path)
            except NotebookError as err:
                return path, err.problem
            ids = {grade_id(cell) for cell in nb.cells}
            missing = sorted(expected[name[:-len(".ipynb")]] - ids)
            if missing:
                return path, (
                    f"its cells lost their nbgrader metadata: no cell carries the grade id(s) "
                    f"{', '.join(missing)} (the answers were probably pasted into another "
                    "notebook); have the answers copied into the released notebook, or grade "
                    "it by hand")
        return None

    def graded_in_gradebook(self, assignment: str) -> set[str]:
        """Students whose submission has every grade's auto score in the gradebook."""
        from nbgrader.api import MissingEntry

        try:
            subs = self.gb.assignment_submissions(assignment)
        except MissingEntry:
            return set()
        return {sub.student.id for sub in subs
                if all(g.auto_score is not None for nb in sub.notebooks for g in nb.grades)}

    def record_path(self, assignment: str, student: str) -> Path:
        return self.state / "graded" / assignment / f"{student}.json"

    def up_to_date(self, kit: AssignmentKit, sub: Submission, in_gradebook: bool) -> bool:
        """Graded before, from this very submission and these very cells, results in place?"""
        a, s = kit.assignment, sub.student
        path = self.record_path(a, s)
        if not (in_gradebook and path.is_file()):
            return False
        try:
            record = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError):
            return False
        if record.get("submission") != sub.digest or record.get("cells") != kit.fingerprint:
            return False
        notebooks = [n for n in sub.files if "/" not in n and n.endswith(".ipynb")]
        autograded = self.root / "autograded" / s / a
        feedback = self.root / "feedback" / s / a
        return all((autograded / n).is_file() and (feedback / n).with_suffix(".html").is_file()
                   for n in notebooks)

    def expected_cost(self, names: list[str]) -> dict[str, float]:
        """How long a submission of each assignment takes, relatively: the median seconds of
        the submissions graded before when every assignment has some, else the length of the
        code in the source notebook (which holds the checks to run)."""
        seconds = {}
        for name in names:
            found = []
            for path in (self.state / "graded" / name).glob("*.json"):
                try:
                    found.append(float(json.loads(path.read_text())["seconds"]))
                except (OSError, ValueError, KeyError):
                    continue
            if found:
                seconds[name] = statistics.median(found)
        if len(seconds) == len(names):
            return seconds
        sizes = {}
        for name in names:
            nb = read_notebook(self.root / "source" / name / f"{name}.ipynb")
            sizes[name] = float(sum(len(c.source) for c in nb.cells if c.cell_type == "code"))
        return sizes

    # -- writing results -----------------------------------------------------------------
    def store(self, outcome: Outcome) -> None:
        """Write one graded submission into the course: files, gradebook rows, record.

        The gradebook rows are one transaction; the folders are put in place by renaming;
        the record that marks the submission done is written last. Interrupted anywhere, the
        submission has either its old results or its new ones, and is graded again next time
        unless the record was written.
        """
        a, s = outcome.assignment, outcome.student
        incoming = self.state / "incoming"
        incoming.mkdir(parents=True, exist_ok=True)
        staged = Path(tempfile.mkdtemp(prefix=f"{a}-{s}-", dir=incoming))
        try:
            self._write(staged / "autograded", outcome.autograded, 0o444)
            self._write(staged / "feedback", outcome.feedback, 0o644)
            write_submission(self.gb, outcome.rows, self.penalties)
            _replace(self.root / "feedback" / s / a, staged / "feedback")
            _replace(self.root / "autograded" / s / a, staged / "autograded")
            record = self.record_path(a, s)
            record.parent.mkdir(parents=True, exist_ok=True)
            tmp = record.with_suffix(".tmp")
            tmp.write_text(json.dumps({
                "submission": outcome.digest, "cells": self.kit_fingerprints[a],
                "graded_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "seconds": round(outcome.seconds, 1), "worker": outcome.worker,
                "gradebook": shown(self.db)}, indent=1))
            os.replace(tmp, record)
        finally:
            shutil.rmtree(staged, ignore_errors=True)

    @staticmethod
    def _write(folder: Path, files: dict[str, bytes], mode: int) -> None:
        for name, data in files.items():
            path = folder / name
            if ".." in Path(name).parts or Path(name).is_absolute():
                raise ValueError(f"refusing to write {name!r} outside {folder}")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            os.chmod(path, mode)

    # -- what the class did --------------------------------------------------------------
    def checks(self, assignment: str) -> tuple[list[Check], dict[str, float], float]:
        """Every check with the share of graded students who passed it (worst first), each
        student's total and the assignment's maximum."""
        scores = {s: c for s, c in read_scores(self.db, self.course_id, assignment).items()
                  if c is not None}
        found = self.gb.find_assignment(assignment)
        checks, maximum = [], 0.0
        for nb in found.notebooks:
            sources = {c.name: c.source or "" for c in nb.source_cells}
            for cell in nb.grade_cells:
                passed = sum(1 for cells in scores.values()
                             if cell.name in cells and cells[cell.name].passed)
                checks.append(Check(cell.name, cell.max_score, docstring(sources.get(cell.name)),
                                    passed, len(scores)))
                maximum += cell.max_score
        order = {c.name: i for i, c in enumerate(checks)}
        checks.sort(key=lambda c: (c.share, order[c.name]))
        totals = {s: sum(c.score for c in cells.values()) for s, cells in scores.items()}
        return checks, totals, maximum


def docstring(source: str | None) -> str:
    """A test cell's first line without its quotes: what the check checks."""
    for line in (source or "").splitlines():
        line = line.strip()
        if line:
            return line.strip("\"'").strip() if line.startswith(("\"", "'")) else line
    return ""


def _replace(target: Path, new: Path) -> None:
    """Put the folder `new` at `target`, replacing what was there."""
    target.parent.mkdir(parents=True, exist_ok=True)
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(target, old)
    if new.exists():
        os.replace(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def format_checks(assignment: str, checks: list[Check]) -> str:
    graded = checks[0].graded if checks else 0
    lines = [f"{assignment}: checks, the most failed first ({graded} graded submissions)",
             f"  {'passed':>7}  {'points':>6}  {'check':<28} what it checks"]
    for c in checks:
        lines.append(f"  {100 * c.share:6.0f}%  {c.points:6g}  {c.name:<28} {c.what}")
    return "\n".join(lines)


def plot(assignment: str, checks: list[Check], totals: dict[str, float], maximum: float,
         path: Path) -> None:
    """The grade histogram and each check's pass rate, in one PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    fig, (hist, bars) = plt.subplots(
        1, 2, figsize=(12, max(3.5, 0.45 * len(checks) + 1.5)),
        gridspec_kw={"width_ratios": [1, 1.4]})
    bins = [x - 0.5 for x in range(int(maximum) + 2)] if maximum <= 40 else 20
    hist.hist(list(totals.values()), bins=bins, color="#4c72b0", edgecolor="white")
    hist.set_xlabel(f"grade (out of {maximum:g})")
    hist.set_ylabel("students")
    hist.yaxis.set_major_locator(MaxNLocator(integer=True))
    hist.set_title(f"{assignment}: grades of {len(totals)} students")
    names = [f"{c.name} ({c.points:g} pt)" for c in checks]
    shares = [100 * c.share for c in checks]
    bars.barh(names, shares, color=["#c44e52" if s < 50 else "#55a868" for s in shares])
    bars.invert_yaxis()
    bars.set_xlim(0, 100)
    bars.set_xlabel("students who passed (%)")
    bars.set_title("checks, the most failed first")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)


# -- running the tasks ---------------------------------------------------------------------
def _worker_start(log: str) -> None:
    """A local worker's output (kernel banners, warnings) goes to a log file, not the terminal."""
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)


class LocalPool:
    """N worker processes on this machine, each grading one submission at a time."""

    def __init__(self, workers: int, log: Path) -> None:
        log.parent.mkdir(parents=True, exist_ok=True)
        self.log = log
        self.pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
            initializer=_worker_start, initargs=(str(log),))

    def submit(self, kit: AssignmentKit, sub: Submission) -> Future:
        return self.pool.submit(grade_submission, kit, sub)

    def stop(self) -> None:
        processes = list((self.pool._processes or {}).values())
        self.pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=10)

    def close(self) -> None:
        self.pool.shutdown(wait=True)


class DaskPool:
    """The workers of a Dask distributed cluster, reached through its scheduler."""

    def __init__(self, scheduler: str) -> None:
        try:
            from dask.distributed import Client
        except ModuleNotFoundError as err:
            raise Stop("--scheduler needs dask.distributed: install the course's "
                       "requirements (`pip install -r requirements.txt`)") from err
        try:
            self.client = Client(scheduler, timeout="15s")
        except (OSError, TimeoutError) as err:
            raise Stop(
                f"cannot reach the Dask scheduler at {scheduler} ({err}). Start one with "
                "`dask scheduler` and workers with `dask worker tcp://HOST:8786 --nworkers N "
                "--nthreads 1` (docs/instructors.md, \"Grading on a cluster\")") from err
        workers = self.client.scheduler_info().get("workers", {})
        if not workers:
            self.client.close()
            raise Stop(f"the Dask scheduler at {scheduler} has no workers: start them with "
                       f"`dask worker {scheduler} --nworkers N --nthreads 1` on the grading "
                       "machines")
        self.kits: dict[str, Future] = {}
        self.log = None

    def submit(self, kit: AssignmentKit, sub: Submission):
        if kit.assignment not in self.kits:
            self.kits[kit.assignment] = self.client.scatter(kit, broadcast=True)
        return self.client.submit(grade_submission, self.kits[kit.assignment], sub,
                                  pure=False, retries=1)

    def stop(self) -> None:
        self.client.close()

    def close(self) -> None:
        self.client.close()


def _wait_any(futures: Iterable):
    """Yield futures (concurrent.futures or Dask) as they finish."""
    futures = list(futures)
    if futures and not isinstance(futures[0], Future):
        from dask.distributed import as_completed

        yield from as_completed(futures)
        return
    pending = set(futures)
    while pending:
        done, pending = wait(pending, return_when=FIRST_COMPLETED)
        yield from done


@dataclass
class Run:
    graded: list[Outcome] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    up_to_date: int = 0
    seconds: float = 0.0


def grade(root: Path, names: list[str], workers: int | None = None,
          scheduler: str | None = None, db: str | None = None, force: bool = False,
          say: Callable[[str], None] = print, progress: bool = True) -> Run:
    """Grade every submission of `names` in the course folder `root` (see the module doc)."""
    from tqdm import tqdm

    from .sandbox import GradingSandbox, SandboxUnavailable

    started = time.perf_counter()
    grader = Grader(root, db=db, force=force, say=say)
    run = Run()
    pool = None
    try:
        if scheduler is None:
            try:
                GradingSandbox(config=grader.config).check()
            except SandboxUnavailable as err:
                raise Stop(f"grading stopped before running any submission: {err}") from err
        plans = []
        for name in names:
            plan = grader.plan(name)
            plans.append(plan)
            for problem in plan.problems:
                say(problem.line())
            run.problems += plan.problems
            run.up_to_date += len(plan.up_to_date)
            if plan.kit is not None:
                grader.kit_fingerprints[name] = plan.kit.fingerprint
                say(f"{name}: {len(plan.todo)} to grade, {len(plan.up_to_date)} already graded"
                    " and unchanged, "
                    f"{len(plan.problems)} not gradable")
        # The longest submissions first, so that no worker is left with a long one at the end.
        cost = grader.expected_cost([p.assignment for p in plans if p.todo])
        tasks = sorted(((p.kit, sub) for p in plans for sub in p.todo),
                       key=lambda task: -cost[task[0].assignment])
        if tasks:
            if scheduler is not None:
                pool = DaskPool(scheduler)
                where = f"the Dask cluster at {scheduler}"
            else:
                count = workers or os.cpu_count() or 1
                pool = LocalPool(min(count, len(tasks)),
                                 grader.state / "logs" / f"workers-{os.getpid()}.log")
                where = f"{min(count, len(tasks))} worker processes"
            say(f"grading {len(tasks)} submissions on {where}")
            futures = {pool.submit(kit, sub): (kit, sub) for kit, sub in tasks}
            bar = tqdm(total=len(tasks), unit="submission", disable=not progress,
                       dynamic_ncols=True, file=sys.stderr)
            try:
                for future in _wait_any(futures):
                    kit, sub = futures[future]
                    path = grader.root / "submitted" / sub.student / kit.assignment
                    try:
                        outcome = future.result()
                    except SandboxMissing as err:
                        raise Stop(f"grading stopped: a worker cannot make the grading "
                                   f"sandbox: {err}") from err
                    except BrokenProcessPool:
                        outcome = Outcome(kit.assignment, sub.student, sub.digest,
                                          problem="the worker process grading it stopped")
                    except Exception as err:  # a task that failed outside nbgrader
                        outcome = Outcome(kit.assignment, sub.student, sub.digest,
                                          problem=f"the grading task failed: "
                                          f"{type(err).__name__}: {err}")
                    if outcome.problem is None:
                        grader.store(outcome)
                        run.graded.append(outcome)
                    else:
                        notebook = path / f"{kit.assignment}.ipynb"
                        problem = Problem(kit.assignment, sub.student, notebook, outcome.problem)
                        run.problems.append(problem)
                        bar.write(problem.line())
                    bar.update(1)
            finally:
                bar.close()
            pool.close()
            pool = None
    except BaseException:
        if pool is not None:
            pool.stop()
        raise
    finally:
        grader.close()
    run.seconds = time.perf_counter() - started
    return run


def report(root: Path, names: list[str], db: str | None, say: Callable[[str], None] = print
           ) -> dict[str, Path]:
    """grades.csv, then per assignment the table of checks and the PNG; returns the paths."""
    grader = Grader(root, db=db, say=say)
    paths = {}
    try:
        csv = grader.root / "grades.csv"
        export(grader, csv)
        paths["Grades (CSV)"] = csv
        for name in names:
            if not has_assignment(grader.gb, name):
                continue
            checks, totals, maximum = grader.checks(name)
            if not totals:
                continue
            table = format_checks(name, checks)
            say("\n" + table)
            text = grader.root / REPORTS / f"{name}.txt"
            text.parent.mkdir(parents=True, exist_ok=True)
            text.write_text(table + "\n")
            png = grader.root / REPORTS / f"{name}.png"
            plot(name, checks, totals, maximum, png)
            paths[f"Checks of {name}"] = text
            paths[f"Plot of {name}"] = png
    finally:
        grader.close()
    return paths


def export(grader: Grader, path: Path) -> None:
    """`nbgrader export --to PATH`: its exporter (`ExportApp.plugin_class`, CSV unless the
    course configures another), run here on the course gradebook."""
    from nbgrader.apps.exportapp import ExportApp

    app = ExportApp(config=grader.config)
    app.log.setLevel(logging.WARNING)
    app.plugin_inst = app.plugin_class(parent=app)
    app.plugin_inst.to = str(path)
    app.plugin_inst.export(grader.gb)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m rnncourse.grade", description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="+", metavar="ASSIGNMENT")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, default=None,
                       help="submissions graded at once on this machine (default: one per core)")
    where.add_argument("--scheduler", metavar="tcp://HOST:8786",
                       help="grade on the workers of this Dask scheduler instead")
    parser.add_argument("--db", metavar="URL", help="gradebook URL (default: "
                        "c.CourseDirectory.db_url, else sqlite gradebook.db in the course)")
    parser.add_argument("--force", action="store_true",
                        help="grade every submission again, graded or not")
    parser.add_argument("--course", type=Path, default=Path.cwd(),
                        help="the course folder (default: the current folder)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    if args.workers is not None and args.workers < 1:
        parser.error("--workers must be at least 1")
    try:
        run = grade(args.course, args.assignments, workers=args.workers,
                    scheduler=args.scheduler, db=args.db, force=args.force,
                    progress=not args.no_progress)
        paths = report(args.course, args.assignments, args.db)
    except Stop as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted: what was graded is recorded; run the same command again to "
              "grade the rest", file=sys.stderr)
        return 130
    root = Path(args.course).resolve()
    print(f"\nGraded {len(run.graded)} submissions in {run.seconds:.0f} s; "
          f"{run.up_to_date} already graded and unchanged; {len(run.problems)} not graded.")
    for problem in run.problems:
        print(f"  {problem.line()}")
    print(f"Gradebook:     {shown(args.db or db_url(root))}")
    print(f"Autograded:    {root / 'autograded'}/<student>/<assignment>/")
    print(f"Feedback HTML: {root / 'feedback'}/<student>/<assignment>/<assignment>.html")
    for what, path in paths.items():
        print(f"{what + ':':<14} {path}")
    return 1 if run.problems else 0


if __name__ == "__main__":
    sys.exit(main())
