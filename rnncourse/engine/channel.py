"""What the grader and the grading kernel share: names, markers, and how course cells are sent.

JudgedExecute (in the grading process) marks each course cell it sends to the kernel with
`MARKER`, the notebook's secret token (given to the kernel in `TOKEN_ENV`), the cell's kind and
its grade id; a probe call carries `probe_request`'s header line before the probe's source. The
kernel (rnncourse/engine/student_kernel.py) reads them back with `parse_marked` and answers a
probe in one display message of the type `ANSWER_MIME`: `{"value": plain data}` or
`{"error": {...}}`, with `"ran"`: the framework layers that ran meanwhile (layer_watch.py).
Standard library only: the sandbox mounts this file beside the kernel.
"""

from __future__ import annotations

import ast
import json

TOKEN_ENV = "RNNCOURSE_GUARD_TOKEN"
IMPORTS_ENV = "RNNCOURSE_GUARD_IMPORTS"
UID_ENV = "RNNCOURSE_SANDBOX_UID"
# The framework layers the lesson asks students to write (its write_yourself names, comma
# separated), for the kernel's layer watch (layer_watch.py) beyond the ones it always watches.
WATCH_ENV = "RNNCOURSE_GUARD_WATCH"
MARKER = "#rnncourse-guard:"
ANSWER_MIME = "application/vnd.rnncourse.answer+json"
KINDS = ("locked", "probe")


def bound_names(tree: ast.Module) -> set[str]:
    """Names a cell binds at its top level (assignments, imports, defs, loops, with, except)."""
    names: set[str] = set()

    def targets(node: ast.AST) -> None:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name):
                names.add(sub.id)

    def visit(statements: list[ast.stmt]) -> None:
        for node in statements:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    names.add(alias.asname or alias.name.partition(".")[0])
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    targets(target)
            elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
                targets(node.target)
            elif isinstance(node, (ast.For, ast.AsyncFor)):
                targets(node.target)
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                for item in node.items:
                    if item.optional_vars is not None:
                        targets(item.optional_vars)
            elif isinstance(node, ast.Try):
                for handler in node.handlers:
                    if handler.name:
                        names.add(handler.name)
            for field in ("body", "orelse", "finalbody", "handlers"):
                block = getattr(node, field, None)
                if isinstance(block, list) and not isinstance(
                        node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    visit([n for n in block if isinstance(n, ast.stmt)]
                          + [s for h in block if isinstance(h, ast.excepthandler)
                             for s in h.body])
            for sub in ast.walk(node):
                if isinstance(sub, ast.NamedExpr) and isinstance(sub.target, ast.Name):
                    names.add(sub.target.id)

    visit(tree.body)
    return names


def parse_marked(code: str, token: str) -> tuple[str | None, str | None, str]:
    """(kind, name, body) of a marked course cell, or (None, None, code) for any other code."""
    first, _, rest = code.partition("\n")
    if not (token and first.startswith(MARKER)):
        return None, None, code
    parts = first[len(MARKER):].split(":")
    if len(parts) != 3 or parts[0] != token or parts[1] not in KINDS:
        return None, None, code
    return parts[1], parts[2], rest


def probe_request(name: str, arguments: str, source: str) -> str:
    """The body of a marked probe call: a JSON header line, then the probe's source."""
    return json.dumps({"function": name, "arguments": arguments}) + "\n" + source
