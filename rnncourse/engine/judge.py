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

import ast
import builtins
import contextlib
import gc
import importlib
import io
import os
import sys
import traceback
from collections.abc import Callable

from . import frameworks, plain_data
from .parent_watch import watch_parent
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

PROBE_DECORATOR = "probe"
HIDDEN_CODE = "(the check's own code is not shown)\n"
MESSAGE_LIMIT = 4000  # characters of a failure's message (and of each traceback line) kept


def _cut(text: str, limit: int) -> str:
    text = str(text)
    return text if len(text) <= limit else text[:limit] + f" ... [{len(text) - limit:,} more]"


class StudentCodeError(Exception):
    """A probe raised in the student's kernel: the student's own error, shown as it was."""

    def __init__(self, ename: str, evalue: str, traceback_lines: list[str]) -> None:
        super().__init__(evalue)
        self.ename, self.evalue, self.traceback_lines = ename, evalue, traceback_lines


class NoAnswer(BaseException):
    """The student's kernel gave no usable answer to a probe (stopped, timed out, malformed).

    Not an `Exception`: a check's `except Exception` never takes a missing answer for the
    error it expected, so a kernel that stops answering fails every check that asks it."""


def split_probes(source: str, filename: str) -> tuple[ast.Module, dict[str, str]]:
    """A test cell without its `@probe` functions, and each probe's source, by name.

    A probe is a function at the top level of the cell whose only decorator is `@probe`.
    """
    tree = ast.parse(source, filename)
    lines = source.splitlines(keepends=True)
    probes: dict[str, str] = {}
    body = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and is_probe(node):
            probes[node.name] = "".join(lines[node.lineno - 1:node.end_lineno])
        else:
            body.append(node)
    tree.body = body
    return tree, probes


def is_probe(node: ast.AST) -> bool:
    return (isinstance(node, ast.FunctionDef) and len(node.decorator_list) == 1
            and isinstance(node.decorator_list[0], ast.Name)
            and node.decorator_list[0].id == PROBE_DECORATOR)


class Probe:
    """Stands in the judge for a probe: calling it asks the student's kernel to run it."""

    def __init__(self, judge: Judge, name: str, source: str) -> None:
        self.judge, self.name, self.source = judge, name, source
        self.__name__ = name

    def __call__(self, *args, **kwargs):
        arguments = plain_data.encode((tuple(args), dict(kwargs)))
        reply = self.judge.ask(self.name, self.source, arguments)
        if reply.failure is not None:
            raise NoAnswer(str(reply.failure))
        try:
            answer = plain_data.read_json(reply.answer or "", self.judge.answer_limit)
            if not isinstance(answer, dict) or set(answer) not in ({"value"}, {"error"}):
                raise plain_data.MalformedAnswer("it is not a probe's answer")
            if "value" in answer:
                return plain_data.from_json(answer["value"])
        except plain_data.MalformedAnswer as err:
            raise NoAnswer(f"the answer from your kernel could not be read: {err}") from None
        error = answer["error"]
        if not (isinstance(error, dict) and all(
                isinstance(error.get(k), str) for k in ("ename", "evalue"))):
            raise NoAnswer("your kernel reported an error the check cannot read")
        lines = error.get("traceback")
        lines = [str(x) for x in lines] if isinstance(lines, list) else []
        raise StudentCodeError(error["ename"], error["evalue"], lines)

    def __repr__(self) -> str:
        return f"<probe {self.name}>"


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

    def test(self, name: str, source: str) -> Verdict:
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
        Check: lambda m: judge.test(m.name, m.source),
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
