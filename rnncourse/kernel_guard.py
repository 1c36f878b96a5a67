"""The grading kernel: an IPython kernel that runs the course's own cells out of students' reach.

    python kernel_guard.py -f CONNECTION_FILE

nbgrader's autograde (through `rnncourse.guarded_execute.GuardedExecute`) starts this kernel
inside the sandbox and marks every cell that comes from the instructor's notebook (locked cells
and test cells) with a secret token given to the kernel in its environment. For a marked cell
the kernel, before anything runs:

* puts back every function and class of the protected libraries (NumPy, TensorFlow, Keras,
  PyTorch, matplotlib, IPython, the standard modules the checks use, `builtins`) and the
  interpreter hooks (trace and profile functions, display and exception hooks, warning
  filters) as they were after the course's set-up cells, undoing any monkey-patching;
* executes the cell itself, with `exec`, so IPython input transformers, `run_cell` patches,
  custom exception handlers and display hooks installed by student code never see it;
* runs a cell in a namespace of its own: the names the locked cells bound (helpers, modules,
  constants, as the locked cells left them) come first, any other name is looked up in the
  student's namespace. A test binds nothing in the student's namespace; a locked cell's names
  are copied there for the student to use. A student who redefines `np`, a helper, or a test's
  temporary name changes nothing the checks use;
* fails the check when the libraries were patched while it ran (by the student's functions the
  check called), and reports a failure with the assertion message and the student's own
  frames only, never the check's source.

Unmarked cells (the student's) run as in any IPython kernel. Outside grading (Colab, a
student's JupyterHub, `nbgrader validate`) none of this is involved: the notebooks run as they
are. This file imports nothing from the course, so the sandbox can mount it on its own.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import os
import sys
import threading
import traceback
import types
import warnings

TOKEN_ENV = "RNNCOURSE_GUARD_TOKEN"
IMPORTS_ENV = "RNNCOURSE_GUARD_IMPORTS"
MARKER = "#rnncourse-guard:"

# Libraries whose functions and classes are put back before every course cell: the standard
# and kernel modules the checks and helpers use (imported before any cell runs), and the
# frameworks, imported beforehand only when the lesson's locked cells import them
# (RNNCOURSE_GUARD_IMPORTS), so that a PyTorch lesson does not pay for TensorFlow.
STANDARD = {
    "builtins", "math", "random", "copy", "warnings", "functools", "contextlib", "itertools",
    "operator", "types", "collections", "numbers", "inspect", "traceback", "re", "json",
    "IPython", "ipykernel", "jupyter_client", "zmq",
}
FRAMEWORKS = {"numpy", "tensorflow", "keras", "torch", "matplotlib", "matplotlib_inline", "tqdm"}
PROTECTED = STANDARD | FRAMEWORKS
_DESCRIPTORS = (property, staticmethod, classmethod, types.FunctionType, types.BuiltinFunctionType,
                types.MethodDescriptorType, types.WrapperDescriptorType, type)


def _guarded_value(value: object) -> bool:
    """Is this the kind of module or class attribute a monkey-patch replaces?"""
    return isinstance(value, _DESCRIPTORS) or (callable(value) and not
                                               isinstance(value, types.ModuleType))


def _top(name: str) -> str:
    return name.partition(".")[0]


class Snapshot:
    """The protected modules' and classes' functions, as they were when it was taken."""

    def __init__(self) -> None:
        self.modules: dict[str, tuple[types.ModuleType, dict]] = {}
        self.classes: dict[type, dict] = {}
        self.sys_hooks: dict[str, object] = {}
        self.filters: list = []
        self.add_new_modules()
        self.sys_hooks = {name: getattr(sys, name) for name in
                          ("excepthook", "displayhook", "breakpointhook", "stdout", "stderr")}
        self.filters = list(warnings.filters)

    def add_new_modules(self) -> None:
        """Record protected modules imported since the last call (fresh imports are clean)."""
        for name, module in list(sys.modules.items()):
            if (name in self.modules or not isinstance(module, types.ModuleType)
                    or _top(name) not in PROTECTED):
                continue
            saved = {k: v for k, v in vars(module).items() if _guarded_value(v)}
            self.modules[name] = (module, saved)
            for value in saved.values():
                if (isinstance(value, type) and value not in self.classes
                        and _top(getattr(value, "__module__", "") or "") in PROTECTED):
                    self.classes[value] = {k: v for k, v in vars(value).items()
                                           if _guarded_value(v)}

    def changes(self, student_made_only: bool = False) -> list[str]:
        """What differs from the snapshot now, as dotted names (empty: nothing).

        With `student_made_only`, only replacements made of the student's own code count:
        libraries rebind some of their functions themselves as they warm up (PyTorch wraps
        an optimizer's `step` on first use, for example), and that is no tampering.
        """
        def counts(value: object) -> bool:
            return not student_made_only or _student_made(value)

        changed = []
        for name, (module, saved) in self.modules.items():
            now = sys.modules.get(name, module)
            if now is not module and counts(now):
                changed.append(f"sys.modules[{name!r}]")
            current = vars(module)
            changed += [f"{name}.{k}" for k, v in saved.items()
                        if current.get(k) is not v and counts(current.get(k))]
        for cls, saved in self.classes.items():
            current = vars(cls)
            changed += [f"{cls.__module__}.{cls.__qualname__}.{k}" for k, v in saved.items()
                        if current.get(k) is not v and counts(current.get(k))]
        return changed

    def restore(self) -> None:
        """Put back everything recorded, and switch off trace and profile hooks."""
        sys.settrace(None)
        sys.setprofile(None)
        threading.settrace(None)
        threading.setprofile(None)
        for name, (module, saved) in self.modules.items():
            if sys.modules.get(name, module) is not module:
                sys.modules[name] = module
            current = vars(module)
            for key, value in saved.items():
                if current.get(key) is not value:
                    current[key] = value
        for cls, saved in self.classes.items():
            current = vars(cls)
            for key, value in saved.items():
                if current.get(key) is not value:
                    try:
                        type.__setattr__(cls, key, value)
                    except (TypeError, AttributeError):  # built-in types cannot be changed
                        pass
        for name, value in self.sys_hooks.items():
            setattr(sys, name, value)
        warnings.filters[:] = self.filters
        warnings._filters_mutated()


def _student_made(value: object) -> bool:
    """Was `value` defined by code run in the notebook's cells (not by a library)?"""
    for candidate in (value, getattr(value, "__func__", None), getattr(value, "fget", None),
                      getattr(value, "__wrapped__", None)):
        if candidate is None:
            continue
        if getattr(candidate, "__module__", None) == "__main__":
            return True
        if isinstance(candidate, types.ModuleType) and not getattr(candidate, "__spec__", 1):
            return True
        filename = getattr(getattr(candidate, "__code__", None), "co_filename", "")
        if "ipykernel_" in filename or filename.startswith("<ipython-input"):
            return True
    return False


class _StudentFallback(dict):
    """Builtins for a trusted namespace: a name it lacks is looked up in the student's."""

    def __init__(self, student: dict) -> None:
        super().__init__(vars(builtins))
        self.student = student

    def __missing__(self, name: str) -> object:
        try:
            return self.student[name]
        except KeyError:
            raise KeyError(name) from None


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


def _preimport() -> None:
    """Import the lesson's libraries before any cell runs, so no file of the student's
    folder can stand in for them, and so their first snapshot is clean."""
    for name in filter(None, os.environ.pop(IMPORTS_ENV, "").split(",")):
        if _top(name) in PROTECTED:
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001 -- a missing library fails in the lesson's own cell
                pass
    for name in sorted(STANDARD - set(sys.modules)):
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001
            pass


def make_kernel_class():
    from ipykernel.ipkernel import IPythonKernel

    class GuardedKernel(IPythonKernel):
        """An IPython kernel that runs marked course cells as described in the module doc."""

        implementation = "rnncourse-guard"

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self._token = _TOKEN
            self._snapshot: Snapshot | None = None
            self._student_ran = False
            self._trusted: dict[str, object] = {}
            self._send = type(self.session).send
            self._exec = builtins.exec
            self._compile = builtins.compile

        # -- the entry point -------------------------------------------------------------
        async def do_execute(self, code, silent, store_history=True, user_expressions=None,
                             allow_stdin=False, *, cell_meta=None, cell_id=None):
            kind, name, body = self._parse(code)
            if kind is None:
                if code.strip():
                    self._student_ran = True
                return await super().do_execute(
                    code, silent, store_history, user_expressions, allow_stdin,
                    cell_meta=cell_meta, cell_id=cell_id)
            return self._run_course_cell(kind, name, body)

        def _parse(self, code: str):
            first, _, rest = code.partition("\n")
            if not (self._token and first.startswith(MARKER)):
                return None, None, code
            parts = first[len(MARKER):].split(":")
            if len(parts) != 3 or parts[0] != self._token or parts[1] not in ("locked", "test"):
                return None, None, code
            return parts[1], parts[2], rest

        # -- course cells ------------------------------------------------------------------
        def _run_course_cell(self, kind: str, name: str, body: str) -> dict:
            shell = self.shell
            if self._snapshot is None:
                self._snapshot = Snapshot()
            self._snapshot.restore()
            shell.execution_count += 1
            count = shell.execution_count
            filename = f"<{kind} cell {name}>"
            try:
                tree = ast.parse(body, filename)
            except SyntaxError:
                return self._report(count, sys.exc_info(), kind)
            namespace = dict(self._trusted)
            namespace["__builtins__"] = _StudentFallback(shell.user_ns)
            namespace["__notebook_namespace__"] = shell.user_ns
            namespace["__name__"] = "__main__"
            try:
                self._run_tree(tree, filename, namespace, display=kind == "locked")
            except BaseException:  # noqa: BLE001 -- a check fails on any exception
                return self._report(count, sys.exc_info(), kind)
            finally:
                self._flush()
            if kind == "locked":
                self._capture(bound_names(tree), namespace)
                if not self._student_ran:
                    self._snapshot = Snapshot()
                else:
                    self._snapshot.add_new_modules()
                    self._snapshot.filters = list(warnings.filters)
            else:
                changed = self._snapshot.changes(student_made_only=True)
                self._snapshot.restore()
                if changed:
                    shown = ", ".join(changed[:3]) + (" ..." if len(changed) > 3 else "")
                    error = AssertionError(
                        "library functions were replaced while this check ran "
                        f"({shown}): code that patches NumPy, TensorFlow, Keras, PyTorch or "
                        "Python itself earns no points")
                    return self._report(count, (AssertionError, error, None), kind)
            return {"status": "ok", "execution_count": count, "payload": [],
                    "user_expressions": {}}

        def _run_tree(self, tree, filename, namespace, display):
            last = None
            if display and tree.body and isinstance(tree.body[-1], ast.Expr):
                last = ast.Expression(tree.body.pop().value)
            self._exec(self._compile(tree, filename, "exec"), namespace)
            if last is not None:
                value = eval(self._compile(last, filename, "eval"), namespace)  # noqa: S307
                if value is not None:
                    self.shell.displayhook(value)

        def _capture(self, names: set[str], namespace: dict) -> None:
            """Keep what a locked cell bound, as trusted names and in the student's namespace.

            Its functions look names up in the trusted names first, then in the student's.
            """
            user_ns = self.shell.user_ns
            for name in names:
                if name not in namespace:
                    continue
                value = namespace[name]
                if isinstance(value, types.FunctionType) and value.__globals__ is namespace:
                    value = self._rebind(value)
                self._trusted[name] = value
                user_ns[name] = value
            self._trusted["__builtins__"] = _StudentFallback(user_ns)
            self._trusted["__notebook_namespace__"] = user_ns

        def _rebind(self, function: types.FunctionType) -> types.FunctionType:
            copy = types.FunctionType(function.__code__, self._trusted, function.__name__,
                                      function.__defaults__, function.__closure__)
            copy.__kwdefaults__ = function.__kwdefaults__
            copy.__doc__ = function.__doc__
            copy.__qualname__ = function.__qualname__
            copy.__module__ = function.__module__
            copy.__dict__.update(function.__dict__)
            return copy

        def _flush(self) -> None:
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except Exception:  # noqa: BLE001
                    pass
            backend = sys.modules.get("matplotlib_inline.backend_inline")
            if backend is not None and getattr(backend, "show", None):
                try:
                    backend.flush_figures()
                except Exception:  # noqa: BLE001
                    pass

        def _report(self, count: int, exc_info, kind: str) -> dict:
            """Send the failure as an error output: message, and only the student's frames."""
            etype, value, tb = exc_info
            ename = getattr(etype, "__name__", str(etype))
            evalue = str(value)
            frames = [frame for frame in traceback.extract_tb(tb)
                      if frame.filename != __file__
                      and (kind == "locked" or not frame.filename.startswith("<test cell"))]
            lines = []
            if frames:
                lines.append("Traceback (most recent call last):\n")
                lines += traceback.format_list(frames)
            if kind == "test":
                lines.append("(the check's own code is not shown)\n")
            lines.append(f"{ename}: {evalue}")
            content = {"ename": ename, "evalue": evalue, "traceback": lines}
            self._send(self.session, self.iopub_socket, "error", content,
                       parent=self.get_parent("shell"), ident=self._topic("error"))
            return {"status": "error", "execution_count": count, **content}

    return GuardedKernel


_TOKEN = os.environ.pop(TOKEN_ENV, "")


def _drop_privileges() -> None:
    """Run as the sandbox's own user id when started as root (see rnncourse.sandbox)."""
    uid = os.environ.pop("RNNCOURSE_SANDBOX_UID", "")
    if uid and os.geteuid() == 0:
        os.setgroups([])
        os.setgid(int(uid))
        os.setuid(int(uid))


def main() -> None:
    _drop_privileges()
    if sys.path and sys.path[0] in ("", os.getcwd()):
        sys.path.pop(0)
    _preimport()
    from ipykernel.kernelapp import IPKernelApp

    IPKernelApp.launch_instance(kernel_class=make_kernel_class())


if __name__ == "__main__":
    main()
