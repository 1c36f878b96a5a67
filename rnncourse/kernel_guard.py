"""The grading kernel: the student's side of a graded notebook.

    python kernel_guard.py -f CONNECTION_FILE

nbgrader's autograde (through `rnncourse.guarded_execute.GuardedExecute`) starts this kernel in
the sandbox. It runs the student's cells like any IPython kernel, and two kinds of course cells
that reach it marked with a token given to it in its environment (`TOKEN_ENV`):

* a *locked* cell (set-up, helpers, given code) runs with `exec`, in a namespace of its own: the
  names the locked cells bound come first, any other name is looked up in the student's
  namespace. The names it binds are kept as the course's and copied into the student's
  namespace, for the student to use;
* a *probe call*: one function of a test cell marked `@probe`, with its arguments as plain data
  (`plain_data`). The kernel defines the function in a namespace like a locked cell's, calls it,
  and sends back what it returned as plain data, in one display message of the type
  `ANSWER_MIME`; an exception is sent back the same way, with the student's frames.

The kernel never sees a test cell, a reference or an expected value: the checks run in the
judge (`rnncourse.judge`), a separate process that never runs student code and decides every
verdict from the plain data the probes return. Nothing this kernel sends, or fails to send, can
make a check pass. Its namespaces only keep a student's names and the course's apart, so that
a student who binds `np` or a helper's name of their own still gets their own code graded.

Outside grading (Colab, a JupyterHub, `nbgrader validate`) this kernel is not involved. This
file imports nothing from the course but `plain_data.py` beside it, so the sandbox mounts the
two files alone.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import importlib.util
import json
import linecache
import os
import sys
import traceback
import types
from pathlib import Path

TOKEN_ENV = "RNNCOURSE_GUARD_TOKEN"
IMPORTS_ENV = "RNNCOURSE_GUARD_IMPORTS"
UID_ENV = "RNNCOURSE_SANDBOX_UID"
MARKER = "#rnncourse-guard:"
ANSWER_MIME = "application/vnd.rnncourse.answer+json"
KINDS = ("locked", "probe")

# Modules imported before any cell runs, so that no file in the student's folder can stand in
# for them; the lesson's frameworks too, when its locked cells import them (IMPORTS_ENV).
STANDARD = ("math", "random", "copy", "warnings", "functools", "json", "traceback")


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


class _StudentFallback(dict):
    """Builtins for a course namespace: a name it lacks is looked up in the student's."""

    def __init__(self, student: dict) -> None:
        super().__init__(vars(builtins))
        self.student = student

    def __missing__(self, name: str) -> object:
        try:
            return self.student[name]
        except KeyError:
            raise KeyError(name) from None


def _load_plain_data():
    """plain_data.py from beside this file, without putting this folder on sys.path."""
    path = Path(__file__).with_name("plain_data.py")
    spec = importlib.util.spec_from_file_location("rnncourse_plain_data", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_kernel_class(token: str, plain_data):
    from ipykernel.ipkernel import IPythonKernel

    class GuardedKernel(IPythonKernel):
        """An IPython kernel that runs marked course cells as the module doc describes."""

        implementation = "rnncourse-guard"

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self._token = token
            self._course: dict[str, object] = {}
            self._send = type(self.session).send
            self._exec = builtins.exec
            self._compile = builtins.compile

        async def do_execute(self, code, silent, store_history=True, user_expressions=None,
                             allow_stdin=False, *, cell_meta=None, cell_id=None):
            kind, name, body = parse_marked(code, self._token)
            if kind is None:
                return await super().do_execute(
                    code, silent, store_history, user_expressions, allow_stdin,
                    cell_meta=cell_meta, cell_id=cell_id)
            self.shell.execution_count += 1
            count = self.shell.execution_count
            if kind == "locked":
                return self._run_locked(count, name, body)
            return self._run_probe(count, name, body)

        # -- namespaces --------------------------------------------------------------------
        def _namespace(self) -> dict:
            namespace = dict(self._course)
            namespace["__builtins__"] = _StudentFallback(self.shell.user_ns)
            namespace["__notebook_namespace__"] = self.shell.user_ns
            namespace["__name__"] = "__main__"
            return namespace

        def _keep(self, names: set[str], namespace: dict) -> None:
            """Keep what a locked cell bound, as the course's and in the student's namespace.

            Its functions look names up in the course's names first, then in the student's.
            """
            user_ns = self.shell.user_ns
            for name in names:
                if name not in namespace:
                    continue
                value = namespace[name]
                if isinstance(value, types.FunctionType) and value.__globals__ is namespace:
                    value = self._rebind(value)
                self._course[name] = value
                user_ns[name] = value

        def _rebind(self, function: types.FunctionType) -> types.FunctionType:
            copy = types.FunctionType(function.__code__, self._course, function.__name__,
                                      function.__defaults__, function.__closure__)
            copy.__kwdefaults__ = function.__kwdefaults__
            copy.__doc__ = function.__doc__
            copy.__qualname__ = function.__qualname__
            copy.__module__ = function.__module__
            copy.__dict__.update(function.__dict__)
            return copy

        # -- locked cells ------------------------------------------------------------------
        def _run_locked(self, count: int, name: str, body: str) -> dict:
            filename = f"<locked cell {name}>"
            namespace = self._namespace()
            try:
                tree = ast.parse(body, filename)
                self._remember(filename, body)
                last = None
                if tree.body and isinstance(tree.body[-1], ast.Expr):
                    last = ast.Expression(tree.body.pop().value)
                self._exec(self._compile(tree, filename, "exec"), namespace)
                if last is not None:
                    value = eval(self._compile(last, filename, "eval"), namespace)
                    if value is not None:
                        self.shell.displayhook(value)
            except BaseException:  # reported like any failing cell
                return self._report_error(count, sys.exc_info())
            finally:
                self._flush()
            self._keep(bound_names(tree), namespace)
            return self._ok(count)

        # -- probe calls -------------------------------------------------------------------
        def _run_probe(self, count: int, name: str, body: str) -> dict:
            header, _, source = body.partition("\n")
            filename = f"<probe {name}>"
            try:
                request = json.loads(header)
                function = request["function"]
                args, kwargs = plain_data.decode(request["arguments"])
                namespace = self._namespace()
                self._remember(filename, source)
                self._exec(self._compile(source, filename, "exec"), namespace)
                value = namespace[function](*args, **kwargs)
                answer = '{"value":' + plain_data.encode(value) + "}"
            except BaseException:  # whatever it was, the judge decides what it means
                answer = json.dumps({"error": self._describe(sys.exc_info())})
            finally:
                self._flush()
                linecache.cache.pop(filename, None)  # a later cell cannot read the probe
            self._send(self.session, self.iopub_socket, "display_data",
                       {"data": {ANSWER_MIME: answer}, "metadata": {}, "transient": {}},
                       parent=self.get_parent("shell"), ident=self._topic("display_data"))
            return self._ok(count)

        # -- reporting ---------------------------------------------------------------------
        @staticmethod
        def _remember(filename: str, source: str) -> None:
            """Let tracebacks show the lines of a course cell or probe."""
            lines = source.splitlines(keepends=True)
            linecache.cache[filename] = (len(source), None, lines, filename)

        @staticmethod
        def _describe(exc_info) -> dict:
            """An exception as the student may see it: type, message, the student's frames."""
            etype, value, tb = exc_info
            frames = [frame for frame in traceback.extract_tb(tb) if frame.filename != __file__]
            lines = []
            if frames:
                lines.append("Traceback (most recent call last):\n")
                lines += traceback.format_list(frames)
            ename = getattr(etype, "__name__", str(etype))
            evalue = str(value)
            lines.append(f"{ename}: {evalue}")
            return {"ename": ename, "evalue": evalue, "traceback": lines}

        def _report_error(self, count: int, exc_info) -> dict:
            content = self._describe(exc_info)
            self._send(self.session, self.iopub_socket, "error", content,
                       parent=self.get_parent("shell"), ident=self._topic("error"))
            return {"status": "error", "execution_count": count, **content}

        @staticmethod
        def _ok(count: int) -> dict:
            return {"status": "ok", "execution_count": count, "payload": [],
                    "user_expressions": {}}

        @staticmethod
        def _flush() -> None:
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except Exception:
                    pass
            backend = sys.modules.get("matplotlib_inline.backend_inline")
            if backend is not None and getattr(backend, "show", None):
                try:
                    backend.flush_figures()
                except Exception:
                    pass

    return GuardedKernel


def _drop_privileges() -> None:
    """Run as the sandbox's own user id when started as root (see rnncourse.sandbox)."""
    uid = os.environ.pop(UID_ENV, "")
    if uid and os.geteuid() == 0:
        os.setgroups([])
        os.setgid(int(uid))
        os.setuid(int(uid))


def _preimport(names: str) -> None:
    """Import the lesson's libraries before any cell runs (a failure shows in its own cell)."""
    for name in [*STANDARD, *filter(None, names.split(","))]:
        try:
            importlib.import_module(name)
        except Exception:
            pass


def main() -> None:
    token = os.environ.pop(TOKEN_ENV, "")
    imports = os.environ.pop(IMPORTS_ENV, "")
    _drop_privileges()
    plain_data = _load_plain_data()
    # Neither the submission's folder nor this file's folder may provide modules by name.
    if sys.path and sys.path[0] in ("", os.getcwd(), str(Path(__file__).parent)):
        sys.path.pop(0)
    _preimport(imports)
    from ipykernel.kernelapp import IPKernelApp

    IPKernelApp.launch_instance(kernel_class=make_kernel_class(token, plain_data))


if __name__ == "__main__":
    main()
