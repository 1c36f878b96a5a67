"""The judge's side of a probe: a test cell split from its probes, and the stand-in that asks
the student's kernel to run one.

A probe is a function at the top level of a test cell whose only decorator is `@probe`. The
judge runs the rest of the cell and binds, for each probe, a `Probe`: calling it sends the probe's
source and arguments (plain data) to the student's kernel, and reads back the answer (plain
data, `allow_pickle=False`) and the kernel's record of the framework layers that ran meanwhile
(`layer_watch`), which the judge keeps in `Judge.ran` for the check's review.
"""

from __future__ import annotations

import ast
from typing import Protocol

from . import plain_data
from .protocol import Answer


class Asker(Protocol):
    """What a probe needs of the judge (rnncourse.engine.judge.Judge)."""

    answer_limit: int
    ran: list[tuple[str, list[tuple[str, str]]]]

    def ask(self, function: str, source: str, arguments: str) -> Answer: ...

PROBE_DECORATOR = "probe"
HIDDEN_CODE = "(the check's own code is not shown)\n"
RAN_LIMIT = 64  # entries of a probe's record of the framework layers that ran


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

    def __init__(self, judge: Asker, name: str, source: str) -> None:
        self.judge, self.name, self.source = judge, name, source
        self.__name__ = name

    def __call__(self, *args, **kwargs):
        arguments = plain_data.encode((tuple(args), dict(kwargs)))
        reply = self.judge.ask(self.name, self.source, arguments)
        if reply.failure is not None:
            raise NoAnswer(str(reply.failure))
        try:
            answer = plain_data.read_json(reply.answer or "", self.judge.answer_limit)
            if not isinstance(answer, dict) or set(answer) - {"ran"} not in ({"value"},
                                                                             {"error"}):
                raise plain_data.MalformedAnswer("it is not a probe's answer")
            self.judge.ran.append((self.name, _layers_ran(answer.get("ran", []))))
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


def _layers_ran(ran: object) -> list[tuple[str, str]]:
    """A probe's record of the framework layers that ran: [(counts as, what ran)]."""
    if not (isinstance(ran, list) and len(ran) <= RAN_LIMIT and all(
            isinstance(pair, list) and len(pair) == 2
            and all(isinstance(x, str) and len(x) <= 200 for x in pair) for pair in ran)):
        raise plain_data.MalformedAnswer("its list of the framework layers that ran is not one")
    return [(counts_as, what) for counts_as, what in ran]
