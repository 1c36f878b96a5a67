"""Starting the judge (rnncourse.engine.judge) and talking to it, from nbgrader's process.

One judge process serves every notebook a process grades: `shared_judge()` starts it on first
use and hands out the same one afterwards, so a grading worker (or one `nbgrader autograde`
run) pays its start-up once. It never runs student code, which is what makes reuse safe. A
judge that stops, breaks the protocol or does not answer in time raises `JudgeUnavailable`:
the notebook being graded is then not graded (nbgrader reports it, and the rest of the class
goes on), and the next notebook gets a new judge.
"""

from __future__ import annotations

import atexit
import os
import select
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from . import frameworks
from .parent_watch import PARENT_ENV
from .protocol import (
    ANSWER_LIMIT,
    ANSWER_LIMIT_ENV,
    Answer,
    Ended,
    Failure,
    Message,
    ProbeCall,
    ProtocolError,
    decode,
)
from .scratch import ScratchFolder

# Environment of the judge: a grading run, without TensorFlow's start-up logs.
JUDGE_ENV = {"NBGRADER_EXECUTION": "autograde", "TF_CPP_MIN_LOG_LEVEL": "3",
             "TF_ENABLE_ONEDNN_OPTS": "0", "PYTHONWARNINGS": "ignore", "PYTHONUNBUFFERED": "1"}


# How the judge is started unless the course names another command (JudgedExecute.judge_command).
DEFAULT_COMMAND = (sys.executable, "-m", "rnncourse.engine.judge")


class JudgeUnavailable(RuntimeError):
    """The judge cannot judge (it stopped or misbehaved): a grader failure, not a student's."""


class JudgeProcess:
    """A judge subprocess and its line-by-line JSON protocol (see rnncourse.engine.judge)."""

    def __init__(self, answer_limit: int = ANSWER_LIMIT, command: list[str] | None = None) -> None:
        self.answer_limit = answer_limit
        self.command = list(command or DEFAULT_COMMAND)
        self.loaded: set[str] = set()
        self.proc: subprocess.Popen | None = None
        self.folder: ScratchFolder | None = None
        self.pending = 0          # replies to posted requests, still to be read
        self._buffer = b""
        self.started = 0

    # -- the process ---------------------------------------------------------------------
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self) -> None:
        self.close()
        # Removed by close(); left by a process killed outright, it is the next run's to remove
        # (rnncourse.engine.scratch). The judge ends when this process does (parent_watch).
        self.folder = ScratchFolder("rnncourse-judge-")
        env = {**os.environ, **JUDGE_ENV, ANSWER_LIMIT_ENV: str(self.answer_limit),
               PARENT_ENV: str(os.getpid())}
        env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [_package_root(), os.environ.get("PYTHONPATH", "")]))
        self._stderr = open(self.folder.path / "stderr.log", "wb")
        self.proc = subprocess.Popen(
            self.command, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=self._stderr, cwd=self.folder.path, env=env)
        self.pending = 0
        self._buffer = b""
        self.started += 1
        self.loaded: set[str] = set()  # the frameworks' packages it loaded (its End says)

    def close(self) -> None:
        if self.proc is not None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None
            self._stderr.close()
        if self.folder is not None:
            self.folder.remove()
            self.folder = None

    def stderr_tail(self, lines: int = 12) -> str:
        if self.folder is None:
            return ""
        try:
            with open(self.folder.path / "stderr.log", "rb") as log:
                text = log.read().decode(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    # -- messages ------------------------------------------------------------------------
    def post(self, message: Message) -> None:
        """Send a request whose reply is read (and checked) before the next request's."""
        if not self.alive():
            self.start()
        self._send(message)
        self.pending += 1

    def request(self, message: Message, timeout: float,
                on_probe: Callable[[ProbeCall], Answer] | None = None) -> Message:
        """Send a request and return its final reply; probe requests go to `on_probe`.

        `timeout`: the seconds the judge may take between two messages of its own (the time
        the student's kernel takes over a probe is `on_probe`'s to limit).
        """
        if not self.alive():
            self.start()
        self.drain(time.monotonic() + timeout)
        self._send(message)
        try:
            while True:
                reply = self._receive(time.monotonic() + timeout)
                if isinstance(reply, ProbeCall) and on_probe is not None:
                    answer = on_probe(reply)
                    answer.call = reply.call
                    self._send(answer)
                    continue
                return self._checked(reply)
        except BaseException:
            # Left in the middle of a check (an interrupt, a grader error), the judge would
            # still wait for an answer: the next notebook gets a new one.
            self.close()
            raise

    def drain(self, deadline: float) -> None:
        while self.pending:
            self._checked(self._receive(deadline))
            self.pending -= 1

    def _checked(self, reply: Message) -> Message:
        if isinstance(reply, Failure):
            raise self._fail(f"the judge refused a request: {reply.error}")
        if isinstance(reply, Ended):
            self.loaded = set(reply.loaded)
        return reply

    def serves(self, imports: list[str], timeout: float = 120) -> bool:
        """Whether this judge may load `imports` for its next notebook: not when it has loaded
        a framework that must come after one of them (rnncourse.engine.frameworks), as
        TensorFlow must after PyTorch's Triton. A judge that cannot is closed, to be replaced."""
        if not self.alive():
            return True
        self.drain(time.monotonic() + timeout)  # its End's reply says what it loaded
        if frameworks.can_follow(self.loaded, imports):
            return True
        self.close()
        return False

    def _send(self, message: Message) -> None:
        try:
            self.proc.stdin.write(message.encode())
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError) as err:
            raise self._fail(f"the judge stopped ({err})") from None

    def _receive(self, deadline: float) -> Message:
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise self._fail("the judge did not answer in time")
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                raise self._fail(f"the judge stopped (exit code {self.proc.poll()})")
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        try:
            return decode(line)
        except ProtocolError as err:
            raise self._fail(f"the judge broke the protocol: {err}") from None

    def _fail(self, why: str) -> JudgeUnavailable:
        tail = self.stderr_tail()
        error = JudgeUnavailable(f"{why}; this submission was not graded"
                                 + (f". The judge's last words:\n{tail}" if tail else ""))
        self.close()
        return error


def _package_root() -> str:
    return str(Path(__file__).resolve().parents[2])


_shared: JudgeProcess | None = None


def shared_judge(answer_limit: int = ANSWER_LIMIT, command: list[str] | None = None
                 ) -> JudgeProcess:
    """This process's judge, started on first use (and again after one stopped, or when the
    command that starts it changed)."""
    global _shared
    if _shared is None:
        _shared = JudgeProcess(answer_limit, command)
        atexit.register(_shared.close)
    wanted = list(command or DEFAULT_COMMAND)
    if _shared.command != wanted:
        _shared.close()
        _shared.command = wanted
    _shared.answer_limit = answer_limit
    return _shared
