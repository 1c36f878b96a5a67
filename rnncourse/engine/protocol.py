"""The judge's protocol: every message between the grading process and the judge, typed.

One JSON object per line each way, `{"op": ..., field: value, ...}`. The grading process
(rnncourse.engine.judge_client, for rnncourse.engine.judged_execute) sends requests; the judge
(rnncourse.engine.judge) answers each, except that a `Check` (a test cell) is answered by zero or
more `ProbeCall`s, each of which the grading process answers with an `Answer` (the student's kernel
ran the probe: its answer text; or why there is none), and then by one `Verdict`.

    Begin(imports)  -> Ready          a new notebook; the judge loads `imports` meanwhile
    Locked(name, source) -> Done      a course cell (set-up, helpers) run in the judge too
    Check(name, source, forbidden, costs_points) -> ProbeCall* -> Verdict
    End             -> Ended          the notebook is done; the judge forgets its names
    Ping            -> Pong(pid)
    any request it cannot take -> Failure(error)

`ANSWER_LIMIT` is the default size of an answer the judge reads (GradingLimits.max_answer_bytes).
Standard library only.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from typing import ClassVar

# Bytes of plain data a probe may hand back to the judge, unless the course sets another
# limit (rnncourse.engine.limits.GradingLimits.max_answer_bytes).
ANSWER_LIMIT = 64 * 2**20
# How the grading process tells the judge the course's answer limit.
ANSWER_LIMIT_ENV = "RNNCOURSE_ANSWER_LIMIT"


class ProtocolError(BaseException):
    """A message that breaks the protocol (a grader bug, never a student's doing)."""


@dataclass
class Message:
    op: ClassVar[str] = ""

    def encode(self) -> bytes:
        """The message as one line of JSON."""
        return json.dumps({"op": self.op, **asdict(self)}).encode() + b"\n"


# -- requests: grading process -> judge --------------------------------------------------
@dataclass
class Begin(Message):
    op: ClassVar[str] = "begin"
    imports: list[str] = field(default_factory=list)


@dataclass
class Locked(Message):
    op: ClassVar[str] = "locked"
    name: str = ""
    source: str = ""


@dataclass
class Check(Message):
    """Run a test cell (its checks) and decide. `forbidden`: the framework layers the task it
    checks asks students to write themselves (its `write_yourself` names); a probe that ran
    one is reported in the verdict's `layers`, and fails the check when `costs_points`."""

    op: ClassVar[str] = "check"
    name: str = ""
    source: str = ""
    forbidden: list[str] = field(default_factory=list)
    costs_points: bool = False


@dataclass
class End(Message):
    op: ClassVar[str] = "end"


@dataclass
class Ping(Message):
    op: ClassVar[str] = "ping"


@dataclass
class Answer(Message):
    """The kernel's answer to a probe call: its text (plain data, still unread), or `failure`,
    why there is none (the kernel stopped, timed out, answered too much)."""

    op: ClassVar[str] = "answer"
    call: int = 0
    answer: str | None = None
    failure: str | None = None


# -- replies: judge -> grading process ---------------------------------------------------
@dataclass
class Ready(Message):
    op: ClassVar[str] = "ready"


@dataclass
class Done(Message):
    op: ClassVar[str] = "done"
    ok: bool = True
    error: str = ""


@dataclass
class Ended(Message):
    """The notebook is forgotten; `loaded`: the frameworks' packages the judge has loaded,
    which decide whether it may serve the next notebook (rnncourse.engine.frameworks)."""

    op: ClassVar[str] = "ended"
    loaded: list[str] = field(default_factory=list)


@dataclass
class Pong(Message):
    op: ClassVar[str] = "pong"
    pid: int = 0


@dataclass
class Failure(Message):
    """The judge refused a request it could not take."""

    op: ClassVar[str] = "error"
    error: str = ""


@dataclass
class ProbeCall(Message):
    """Run the probe `function` (its `source`) on `arguments` (plain data) in the student's
    kernel; `printed` is what the check printed since the last call."""

    op: ClassVar[str] = "probe"
    call: int = 0
    function: str = ""
    source: str = ""
    arguments: str = ""
    printed: str = ""


@dataclass
class Verdict(Message):
    """The check's verdict; `layers`: each forbidden framework layer a probe ran,
    `{"probe": name, "ran": what ran, "counts_as": the write_yourself name}`."""

    op: ClassVar[str] = "verdict"
    passed: bool = False
    printed: str = ""
    ename: str = ""
    evalue: str = ""
    traceback: list[str] = field(default_factory=list)
    layers: list[dict] = field(default_factory=list)


MESSAGES: dict[str, type[Message]] = {cls.op: cls for cls in (
    Begin, Locked, Check, End, Ping, Answer, Ready, Done, Ended, Pong, Failure, ProbeCall,
    Verdict)}


def decode(line: bytes | str) -> Message:
    """The message on one line; ProtocolError for anything that is not one."""
    try:
        data = json.loads(line)
    except ValueError:
        raise ProtocolError(f"not JSON: {line[:200]!r}") from None
    if not isinstance(data, dict) or data.get("op") not in MESSAGES:
        raise ProtocolError(f"not a message of the judge's protocol: {str(line)[:200]}")
    cls = MESSAGES[data["op"]]
    known = {f.name for f in fields(cls)}
    try:
        return cls(**{k: v for k, v in data.items() if k in known})
    except TypeError as err:
        raise ProtocolError(f"a malformed {cls.__name__}: {err}") from None
