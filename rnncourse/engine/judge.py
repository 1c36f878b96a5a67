"""The judge: the process in which every check of a graded notebook decides, away from student code.

    python -m rnncourse.engine.judge    (started by rnncourse.engine.judge_client; speaks on
                                        stdin and stdout)

A graded notebook has two processes. The student's kernel (`rnncourse.engine.student_kernel`, in the
sandbox) runs the student's cells, the locked cells, and the *probes*: the functions of a test
cell marked `@probe`, which run the student's code on data they are given. The judge runs the
locked cells too, in a namespace of its own, and every test cell, except its probes: where a test
cell defines a probe, the judge binds a stub, and calling the stub asks the student's kernel
to run that probe with those arguments. Arguments and answers are plain data
(`rnncourse.engine.plain_data`): the judge reads answers with `allow_pickle=False`, so no object
and no code of the student's ever reaches it. References (framework layers with their weights),
expected values and verdicts exist here alone.

The judge never runs a line of a submission: it executes only the course's cells, as the
gradebook holds them, and it may therefore be reused for notebook after notebook (one judge per
grading worker).

It speaks the protocol of rnncourse.engine.protocol on stdin and stdout.
"""

from __future__ import annotations

import builtins
import contextlib
import gc
import importlib
import io
import os
import sys
import traceback
from collections.abc import Callable

from . import frameworks
from .parent_watch import watch_parent
from .probes import HIDDEN_CODE, NoAnswer, Probe, StudentCodeError, split_probes
from .protocol import (
    ANSWER_LIMIT,
    ANSWER_LIMIT_ENV,
    Answer,
    Begin,
    Check,
    Done,
    End,
    Ended,
    Failure,
    Locked,
    Message,
    Ping,
    Pong,
    ProbeCall,
    ProtocolError,
    Ready,
    Verdict,
    decode,
)

MESSAGE_LIMIT = 4000  # characters of a failure's message (and of each traceback line) kept


def _cut(text: str, limit: int) -> str:
    text = str(text)
    return text if len(text) <= limit else text[:limit] + f" ... [{len(text) - limit:,} more]"


class Judge:
    """The judge's state: the course's names of the notebook being graded."""

    def __init__(self, send: Callable[[Message], None], receive: Callable[[], Message],
                 answer_limit: int = ANSWER_LIMIT) -> None:
        self.send, self.receive = send, receive
        self.answer_limit = answer_limit
        self.namespace: dict = {}
        self.locked_failures: list[str] = []
        self.printed = io.StringIO()
        self.calls = 0
        self.ran: list[tuple[str, list[tuple[str, str]]]] = []  # (probe, its record), this check

    # -- requests ------------------------------------------------------------------------
    def begin(self, imports: list[str]) -> Ready:
        self.end()
        for name in imports:
            with contextlib.suppress(Exception), self.quiet():
                importlib.import_module(name)
        return Ready()

    def end(self) -> Ended:
        self.namespace = {"__name__": "__main__", "__builtins__": builtins}
        self.locked_failures = []
        with self.quiet():
            frameworks.reset_loaded()
        gc.collect()
        return Ended(frameworks.loaded_packages())

    def locked(self, name: str, source: str) -> Done:
        try:
            with self.quiet():
                exec(compile(source, f"<locked cell {name}>", "exec"), self.namespace)
        except BaseException as err:
            self.locked_failures.append(f"{name}: {type(err).__name__}: {err}")
            return Done(ok=False, error=self.locked_failures[-1])
        return Done()

    def test(self, name: str, source: str, forbidden: list[str] = (),
             costs_points: bool = False) -> Verdict:
        """The verdict of the test cell `name`, with every layer of `forbidden` its probes ran
        (`costs_points`: such a layer fails a check that passed)."""
        self.ran = []
        verdict = self._decide(name, source)
        banned = {n.casefold() for n in forbidden}
        for probe, record in self.ran:
            for counts_as, what in record:
                used = {"probe": probe, "ran": what, "counts_as": counts_as}
                if counts_as.casefold() in banned and used not in verdict.layers:
                    verdict.layers.append(used)
        if costs_points and verdict.passed and verdict.layers:
            used = verdict.layers
            verdict = self.verdict(False, "FrameworkLayerUsed", (
                f"{used[0]['probe']} ran {used[0]['ran']}: this task asks you to write the "
                f"{used[0]['counts_as']} yourself, so a check that runs the framework's own "
                "cannot pass"))
            verdict.layers = used
        return verdict

    def _decide(self, name: str, source: str) -> Verdict:
        self.printed = io.StringIO()
        filename = f"<check {name}>"
        try:
            tree, probes = split_probes(source, filename)
            namespace = dict(self.namespace)
            namespace.update({p: Probe(self, p, src) for p, src in probes.items()})
            with self.quiet(stdout=self.printed):
                exec(compile(tree, filename, "exec"), namespace)
        except StudentCodeError as err:
            return self.verdict(False, err.ename, err.evalue,
                                [*err.traceback_lines[:-1], HIDDEN_CODE,
                                 f"{err.ename}: {err.evalue}"])
        except NoAnswer as err:
            return self.verdict(False, "NoAnswer", str(err), [])
        except (ProtocolError, EOFError):
            raise
        except BaseException as err:
            evalue = str(err)
            if self.locked_failures and not isinstance(err, AssertionError):
                evalue += (" (while grading, the course's own cell "
                           f"{self.locked_failures[0]})")
            return self.verdict(False, type(err).__name__, evalue, [])
        return self.verdict(True)

    # -- helpers -------------------------------------------------------------------------
    def verdict(self, passed: bool, ename: str = "", evalue: str = "",
                lines: list[str] | None = None) -> Verdict:
        reply = Verdict(passed, self.printed.getvalue())
        if not passed:
            evalue = _cut(evalue, MESSAGE_LIMIT)
            reply.traceback = [_cut(line, MESSAGE_LIMIT) for line in (lines or [])[-40:]] or [
                HIDDEN_CODE, f"{ename}: {evalue}"]
            reply.ename, reply.evalue = _cut(ename, 200), evalue
        return reply

    def ask(self, function: str, source: str, arguments: str) -> Answer:
        """Have the student's kernel run a probe; the caller's answer, as it came."""
        self.calls += 1
        call = self.calls
        printed = self.printed.getvalue()
        self.printed.seek(0)
        self.printed.truncate()
        self.send(ProbeCall(call, function, source, arguments, printed))
        reply = self.receive()
        if not isinstance(reply, Answer) or reply.call != call:
            raise ProtocolError(f"expected the answer to probe call {call}, got {reply!r:.200}")
        return reply

    @contextlib.contextmanager
    def quiet(self, stdout: io.StringIO | None = None):
        """Run course code with its prints captured (or dropped) and its stderr dropped."""
        with contextlib.redirect_stdout(stdout or io.StringIO()), \
                contextlib.redirect_stderr(io.StringIO()):
            yield


def serve(stdin, stdout, after: Callable[[Message], None] | None = None,
          answer_limit: int = ANSWER_LIMIT) -> None:
    """Answer requests from `stdin` (binary lines of JSON) on `stdout` until end of file;
    `after(request)` is called after each one."""

    def send(message: Message) -> None:
        stdout.write(message.encode())
        stdout.flush()

    def receive() -> Message:
        line = stdin.readline()
        if not line:
            raise EOFError
        return decode(line)

    judge = Judge(send, receive, answer_limit)
    handlers: dict[type, Callable[[Message], Message]] = {
        Begin: lambda m: judge.begin(list(m.imports)),
        Locked: lambda m: judge.locked(m.name, m.source),
        Check: lambda m: judge.test(m.name, m.source, list(m.forbidden), bool(m.costs_points)),
        End: lambda m: judge.end(),
        Ping: lambda m: Pong(os.getpid()),
    }
    while True:
        try:
            message = receive()
        except EOFError:
            return
        except ProtocolError as err:
            send(Failure(str(err)))
            continue
        if type(message) not in handlers:
            send(Failure(f"unknown request {message.op!r}"))
            continue
        try:
            send(handlers[type(message)](message))
        except ProtocolError as err:
            send(Failure(str(err)))
        except EOFError:
            return
        if after is not None:
            after(message)


def main(after: Callable[[Message], None] | None = None) -> None:
    """Serve the protocol on stdin and stdout; `after(request)` runs after each request (a
    wrapper that starts the judge its own way, e.g. to record it, passes it)."""
    # Ends with the process that started it, even one killed outright mid-check or mid-import
    # (the end of stdin alone would wait for the check to finish, and a thread watching the
    # parent for the interpreter's lock): Linux's death signal kills it at once. A judge whose
    # starting thread ends early dies with it and is started again for the next notebook
    # (rnncourse.engine.judge_client), which costs a start-up, never a verdict.
    watch_parent(with_death_signal=True)
    # The protocol keeps the real stdout; anything else written there goes to stderr.
    protocol_out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    try:
        serve(sys.stdin.buffer, protocol_out, after,
              int(os.environ.get(ANSWER_LIMIT_ENV, ANSWER_LIMIT)))
    except Exception:  # a grader bug: say it where the caller logs stderr
        traceback.print_exc()
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
