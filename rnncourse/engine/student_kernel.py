"""The grading kernel: the student's side of a graded notebook.

    python student_kernel.py -f CONNECTION_FILE

nbgrader's autograde (through `rnncourse.engine.judged_execute.JudgedExecute`) starts this kernel in
the sandbox. It runs the student's cells like any IPython kernel, and two kinds of course cells
that reach it marked with a token given to it in its environment (`TOKEN_ENV`):

* a *locked* cell (set-up, helpers, given code) runs with `exec`, in a namespace of its own: the
  names the locked cells bound come first (those bound later too, for its classes' methods),
  any other name is looked up in the student's namespace. The names it binds are kept as the
  course's and copied into the student's namespace, for the student to use;
* a *probe call*: one function of a test cell marked `@probe`, with its arguments as plain data
  (`plain_data`). The kernel defines the function in a namespace like a locked cell's, calls it,
  and sends back what it returned as plain data, in one display message of the type
  `ANSWER_MIME`; an exception is sent back the same way, with the student's frames. With
  either goes the list of framework layers that ran during the call (`layer_watch`), for
  the review.

The kernel never sees a test cell, a reference or an expected value: the checks run in the
judge (`rnncourse.engine.judge`), a separate process that never runs student code and decides every
verdict from the plain data the probes return. Nothing this kernel sends, or fails to send, can
make a check pass. Its namespaces only keep a student's names and the course's apart, so that
a student who binds `np` or a helper's name of their own still gets their own code graded.

Outside grading (Colab, a JupyterHub, `nbgrader validate`) this kernel is not involved. This
file imports nothing from the course but `channel.py`, `plain_data.py` and `layer_watch.py`,
so the sandbox mounts the four files alone, side by side.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import json
import linecache
import os
import sys
import traceback
import types
from pathlib import Path

from ipykernel.ipkernel import IPythonKernel

if __package__:  # imported from the package (the tests, the grader's own checks)
    from . import layer_watch, plain_data
    from .channel import (
        ANSWER_MIME,
        IMPORTS_ENV,
        TOKEN_ENV,
        UID_ENV,
        WATCH_ENV,
        bound_names,
        parse_marked,
    )
else:  # run as a script in the sandbox, where its two companions are mounted beside it
    import layer_watch
    import plain_data
    from channel import (
        ANSWER_MIME,
        IMPORTS_ENV,
        TOKEN_ENV,
        UID_ENV,
        WATCH_ENV,
        bound_names,
        parse_marked,
    )

# Modules imported before any cell runs, so that no file in the student's folder can stand in
# for them; the lesson's frameworks too, when its locked cells import them (IMPORTS_ENV).
STANDARD = ("math", "random", "copy", "warnings", "functools", "json", "traceback")


class _StudentFallback(dict):
    """Builtins for a course namespace: a name it lacks is looked up in the course's names as
    they are now (a class of a locked cell may read what a later locked cell binds), then in
    the student's."""

    def __init__(self, course: dict, student: dict) -> None:
        super().__init__(vars(builtins))
        self.course, self.student = course, student

    def __missing__(self, name: str) -> object:
        for names in (self.course, self.student):
            if name in names:
                return names[name]
        raise KeyError(name)


class StudentKernel(IPythonKernel):
    """An IPython kernel that runs marked course cells as the module doc describes."""

    implementation = "rnncourse-guard"

    token = ""  # the notebook's secret token, set by main() from TOKEN_ENV
    watch: tuple[str, ...] = ()  # the lesson's write_yourself names, from WATCH_ENV

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._token = self.token
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
        namespace["__builtins__"] = _StudentFallback(self._course, self.shell.user_ns)
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
        # The course's names are the copy's globals, with the builtins of a locked cell: C code
        # that imports through the caller's globals (PyImport_Import, as PyTorch does the first
        # time torch.tensor reads a list) needs `__builtins__` there.
        if "__builtins__" not in self._course:
            self._course["__builtins__"] = _StudentFallback(self._course, self.shell.user_ns)
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
        ran: list = []
        try:
            request = json.loads(header)
            function = request["function"]
            args, kwargs = plain_data.decode(request["arguments"])
            namespace = self._namespace()
            self._remember(filename, source)
            self._exec(self._compile(source, filename, "exec"), namespace)
            layer_watch.install(self.watch)  # frameworks the student imported since
            with layer_watch.recording() as ran:
                value = namespace[function](*args, **kwargs)
            answer = '{"value":' + plain_data.encode(value) + ',"ran":' + json.dumps(ran) + "}"
        except BaseException:  # whatever it was, the judge decides what it means
            answer = json.dumps({"error": self._describe(sys.exc_info()), "ran": ran})
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



def _drop_privileges() -> None:
    """Run as the sandbox's own user id when started as root (see rnncourse.engine.sandbox)."""
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
    watch = tuple(filter(None, os.environ.pop(WATCH_ENV, "").split(",")))
    _drop_privileges()
    # Neither the submission's folder nor this file's folder may provide modules by name.
    if sys.path and sys.path[0] in ("", os.getcwd(), str(Path(__file__).parent)):
        sys.path.pop(0)
    _preimport(imports)
    layer_watch.install(watch)  # before any cell can keep a framework function unwatched
    from ipykernel.kernelapp import IPKernelApp

    StudentKernel.token = token
    StudentKernel.watch = watch
    IPKernelApp.launch_instance(kernel_class=StudentKernel)


if __name__ == "__main__":
    main()
