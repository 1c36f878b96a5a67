"""`grade()`: one grading run over a held course folder. Plan every assignment, send the
submissions to grade to a pool, and store each outcome as it comes back."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

from .plan import expected_cost, ordered_tasks, plan_assignment
from .pools import as_finished, open_pool
from .problems import Problem, Stop
from .records import store
from .session import Grader
from .submission import AssignmentKit, Outcome, SandboxMissing, Submission


@dataclass
class Run:
    """What a run did: the submissions graded, the ones that could not be, the ones skipped."""

    graded: list[Outcome] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    up_to_date: int = 0
    seconds: float = 0.0


def grade(grader: Grader, names: list[str], workers: int | None = None,
          scheduler: str | None = None, force: bool = False,
          say: Callable[[str], None] = print, progress: bool = True) -> Run:
    """Grade every submission of the assignments `names` (see rnncourse.grade)."""
    started = time.perf_counter()
    if scheduler is None:
        stop_without_sandbox(grader.config)
    left = sweep_scratch(grader.config)
    if left:
        say(f"removed {left} scratch folders that a grading run killed before it could clean "
            "up had left")
    run = Run()
    plans = [plan_assignment(grader, name, force, say) for name in names]
    for plan in plans:
        for problem in plan.problems:
            say(problem.line())
        run.problems += plan.problems
        run.up_to_date += len(plan.up_to_date)
        if plan.kit is not None:
            say(plan.summary())
    cost = expected_cost(grader.root, grader.state, [p.assignment for p in plans if p.todo])
    tasks = ordered_tasks(plans, cost)
    if tasks:
        run_tasks(grader, tasks, run, workers, scheduler, say, progress)
    run.seconds = time.perf_counter() - started
    return run


def stop_without_sandbox(config) -> None:
    """`Stop` unless this machine can make the grading sandbox the course's nbgrader `config`
    asks for (the workers of a Dask cluster check their own)."""
    from ..engine.sandbox import SandboxUnavailable, require_sandbox

    try:
        require_sandbox(config)
    except SandboxUnavailable as err:
        raise Stop(f"grading stopped before running any submission: {err}") from err


def sweep_scratch(config) -> int:
    """Remove the scratch folders and sandbox boxes of grading processes that are gone
    (rnncourse.engine.scratch: a live run's are left alone); how many there were."""
    from ..engine.sandbox import GradingSandbox
    from ..engine.scratch import sweep

    places = dict.fromkeys([tempfile.gettempdir(), GradingSandbox(config=config).box_root])
    return sum(len(sweep(where)) for where in places)


def run_tasks(grader: Grader, tasks: list[tuple[AssignmentKit, Submission]], run: Run,
              workers: int | None, scheduler: str | None, say: Callable[[str], None],
              progress: bool) -> None:
    """Grade `tasks` on a pool, storing each outcome (or its problem) in `run` as it comes."""
    from tqdm import tqdm

    log = grader.state / "logs" / f"workers-{os.getpid()}.log"
    pool = open_pool(len(tasks), workers, scheduler, log)
    say(f"grading {len(tasks)} submissions on {pool.where}")
    try:
        futures = {pool.submit(kit, sub): (kit, sub) for kit, sub in tasks}
        with tqdm(total=len(tasks), unit="submission", disable=not progress,
                  dynamic_ncols=True, file=sys.stderr) as bar:
            for future in as_finished(futures):
                kit, sub = futures[future]
                outcome = task_outcome(future, kit, sub)
                if outcome.problem is None:
                    store(grader, outcome, kit.fingerprint)
                    run.graded.append(outcome)
                else:
                    notebook = (grader.root / "submitted" / sub.student / kit.assignment
                                / f"{kit.assignment}.ipynb")
                    problem = Problem(kit.assignment, sub.student, notebook, outcome.problem)
                    run.problems.append(problem)
                    bar.write(problem.line())
                bar.update(1)
    except BaseException:
        pool.stop()
        raise
    pool.close()


def task_outcome(future, kit: AssignmentKit, sub: Submission) -> Outcome:
    """What a finished task gave; a task that failed outside nbgrader is an outcome with a
    problem, a worker that cannot make the sandbox stops the run."""
    try:
        return future.result()
    except SandboxMissing as err:
        raise Stop(f"grading stopped: a worker cannot make the grading sandbox: {err}") from err
    except BrokenProcessPool:
        return Outcome(kit.assignment, sub.student, sub.digest,
                       problem="the worker process grading it stopped")
    except Exception as err:  # a task that failed outside nbgrader
        return Outcome(kit.assignment, sub.student, sub.digest,
                       problem=f"the grading task failed: {type(err).__name__}: {err}")
