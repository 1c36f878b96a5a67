"""Where the grading tasks run: worker processes on this machine, or the workers of a Dask
cluster. Both take (kit, submission) tasks and give back futures of `Outcome`s."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path

from ..engine.parent_watch import watch_parent
from .problems import Stop
from .submission import AssignmentKit, Submission, grade_submission


def _worker_start(log: str, parent: int) -> None:
    """A local worker ends with the grading command, however that ends (engine.parent_watch:
    its judge and its kernel then end with it), and its output (kernel banners, warnings) goes
    to a log file, not the terminal."""
    watch_parent(parent, with_death_signal=True)
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)


class LocalPool:
    """N worker processes on this machine, each grading one submission at a time."""

    def __init__(self, workers: int, log: Path) -> None:
        log.parent.mkdir(parents=True, exist_ok=True)
        self.where = f"{workers} worker processes"
        self.pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
            initializer=_worker_start, initargs=(str(log), os.getpid()))

    def submit(self, kit: AssignmentKit, sub: Submission) -> Future:
        return self.pool.submit(grade_submission, kit, sub)

    def stop(self) -> None:
        """Stop at once: cancel what has not started, end the workers."""
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
        if not self.client.scheduler_info().get("workers", {}):
            self.client.close()
            raise Stop(f"the Dask scheduler at {scheduler} has no workers: start them with "
                       f"`dask worker {scheduler} --nworkers N --nthreads 1` on the grading "
                       "machines")
        self.where = f"the Dask cluster at {scheduler}"
        self.kits: dict[str, object] = {}     # assignment -> the kit, scattered once

    def submit(self, kit: AssignmentKit, sub: Submission):
        if kit.assignment not in self.kits:
            self.kits[kit.assignment] = self.client.scatter(kit, broadcast=True)
        return self.client.submit(grade_submission, self.kits[kit.assignment], sub,
                                  pure=False, retries=1)

    def stop(self) -> None:
        self.client.close()

    def close(self) -> None:
        self.client.close()


def open_pool(tasks: int, workers: int | None, scheduler: str | None, log: Path
              ) -> LocalPool | DaskPool:
    """The Dask cluster at `scheduler`, else `workers` local processes (default: one per
    core), never more than there are `tasks`."""
    if scheduler is not None:
        return DaskPool(scheduler)
    return LocalPool(min(workers or os.cpu_count() or 1, tasks), log)


def as_finished(futures: Iterable) -> Iterator:
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
