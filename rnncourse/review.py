"""What a submission's own cells do that an instructor should look at: listed, never scored.

The judge keeps every verdict out of the student's reach, but two things no process boundary can
stop: code that computes its answers with the very framework layer the task asks the student to
write, and code that learns the grading protocol and answers the judge's questions some other
way. Both leave traces in the notebook's text. `scan` reads the submitted notebook's cells (the
file, as text: nothing here runs) and lists, with cell and line, code that

* reaches into the interpreter or the grader: the IPython shell or kernel object, `gc`, call
  frames (`sys._getframe`, `inspect.stack`, `f_back` ...), a function's `__code__` or
  `__globals__`, `ctypes`, PyTorch's dispatch overrides (`__torch_function__`,
  `TorchFunctionMode`), NumPy's (`__array_function__`, `__array_ufunc__`), made-up comparisons
  (`__eq__`), trace and profile hooks, `sys.modules`, or asks whether it is being graded
  (`NBGRADER_EXECUTION`);
* replaces an attribute of a library (`np.isclose = ...`, `keras.layers.SimpleRNN.call = ...`,
  `setattr(torch.Tensor, ...)`);
* redefines one of the course's helpers (a function or class of a locked cell);
* uses, in an answer cell, a framework layer that the lesson says the task asks students to
  write themselves (the source notebook's metadata `rnncourse.write_yourself`,
  `{answer grade id: [names]}`).

`GuardedExecute` stores the list in the graded notebook's metadata (`rnncourse.review`);
`python -m rnncourse.grade` prints it under "Flagged for review" and saves it beside the report.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from nbformat import NotebookNode

from .notebooks import NotebookError, read_notebook

FRAMES = {"_getframe", "currentframe", "stack", "getouterframes", "getinnerframes", "trace",
          "f_back", "f_globals", "f_locals", "f_builtins", "tb_frame", "walk_stack", "gi_frame",
          "cr_frame"}
FUNCTION_INSIDES = {"__code__", "__globals__", "__closure__", "__builtins__", "__kwdefaults__",
                    "__defaults__", "func_globals"}
DISPATCH = {"__torch_function__", "__torch_dispatch__", "__array_function__", "__array_ufunc__",
            "__array_wrap__", "__array_finalize__", "TorchFunctionMode", "TorchDispatchMode",
            "overrides", "_python_dispatch", "DisableTorchFunction",
            "DisableTorchFunctionSubclass"}
COMPARISONS = {"__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__bool__",
               "__abs__", "__sub__", "__rsub__", "__float__"}
HOOKS = {"settrace", "setprofile", "addaudithook", "set_custom_exc", "excepthook",
         "displayhook", "input_transformers_cleanup", "input_transformers_post",
         "ast_transformers"}
INTERPRETER_MODULES = {"gc": "the interpreter's object list (gc)", "ctypes": "ctypes",
                       "ipykernel": "the kernel's own modules (ipykernel)",
                       "jupyter_client": "the kernel's messaging (jupyter_client)", "zmq": "zmq"}
GRADER_WORDS = re.compile(r"NBGRADER_EXECUTION|RNNCOURSE_|kernel_guard|rnncourse|_run_probe|"
                          r"_run_locked|ANSWER_MIME")


def scan(nb: NotebookNode, course_ids: set[str],
         write_yourself: dict[str, list[str]] | None = None) -> list[dict]:
    """Every finding in the notebook's own code cells (not the course's), in order."""
    findings: list[dict] = []
    modules = _module_names(nb)
    helpers = _course_helpers(nb, course_ids)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in course_ids:
            continue
        where = gid or f"cell {index + 1}"
        forbidden = set((write_yourself or {}).get(gid or "", []))
        for line, what in _findings(cell.source, modules, forbidden, helpers):
            text = cell.source.splitlines()[line - 1].strip() if line else ""
            findings.append({"cell": where, "line": line, "what": what, "code": text[:120]})
    return findings


def _python(source: str) -> str:
    """The cell's source with IPython's magics and shell escapes turned into comments."""
    return "\n".join(f"#{line}" if line.lstrip().startswith(("%", "!")) else line
                     for line in source.splitlines())


def _course_helpers(nb: NotebookNode, course_ids: set[str]) -> set[str]:
    """The functions and classes the course's own cells define."""
    names: set[str] = set()
    for cell in nb.cells:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if cell.cell_type != "code" or gid not in course_ids:
            continue
        try:
            tree = ast.parse(_python(cell.source))
        except SyntaxError:
            continue
        names |= {node.name for node in tree.body
                  if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
    return names


def _module_names(nb: NotebookNode) -> set[str]:
    """Names any cell binds to an imported module or library object (np, keras, nn, F ...)."""
    names = {"builtins", "sys"}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(_python(cell.source))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names |= {alias.asname or alias.name.partition(".")[0] for alias in node.names}
    return names - {"*"}


def _root(node: ast.AST) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _dotted(node: ast.AST) -> str:
    try:
        return ast.unparse(node)
    except Exception:
        return "?"


def _findings(source: str, modules: set[str], forbidden: set[str],
              helpers: set[str] = frozenset()) -> list[tuple[int, str]]:
    try:
        tree = ast.parse(_python(source))
    except SyntaxError:
        return [(number, "mentions the grader (NBGRADER_EXECUTION or the course's grading "
                         "code)") for number, line in enumerate(source.splitlines(), start=1)
                if GRADER_WORDS.search(line)]
    found: list[tuple[int, str]] = []

    def add(node: ast.AST, what: str) -> None:
        found.append((getattr(node, "lineno", 0), what))

    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == "get_ipython":
            add(node, "uses IPython's shell object (get_ipython), through which the kernel "
                      "can be reached")
        elif isinstance(node, ast.Attribute):
            attr = node.attr
            if attr == "kernel" and "get_ipython" in _dotted(node.value):
                add(node, "reaches the kernel object (get_ipython().kernel)")
            elif attr in FRAMES and _root(node) not in (None, "self"):
                if attr not in ("stack", "trace") or _root(node) == "inspect":
                    add(node, f"walks the call stack ({_dotted(node)})")
            elif attr in FUNCTION_INSIDES:
                add(node, f"reads or replaces a function's insides ({attr})")
            elif attr in DISPATCH:
                add(node, f"changes how a framework dispatches operations ({attr})")
            elif attr in HOOKS:
                add(node, f"installs an interpreter or IPython hook ({attr})")
            elif attr == "modules" and _root(node) == "sys":
                add(node, "reads or changes sys.modules")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                top = (node.module if isinstance(node, ast.ImportFrom) and node.module
                       else alias.name).partition(".")[0]
                if top in INTERPRETER_MODULES:
                    add(node, f"imports {INTERPRETER_MODULES[top]}")
                if alias.name in DISPATCH or alias.name in {"_getframe", "currentframe"}:
                    add(node, f"imports {alias.name}")
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if node.name in DISPATCH:
                add(node, f"defines {node.name}, which changes how a framework dispatches "
                          "operations")
            elif node.name in COMPARISONS:
                add(node, f"defines {node.name}, which changes how its values compare")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if GRADER_WORDS.search(node.value):
                add(node, "mentions the grader (NBGRADER_EXECUTION or the course's grading "
                          "code)")
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [
                node.target]
            for target in targets:
                if isinstance(target, (ast.Attribute, ast.Subscript)):
                    root = _root(target)
                    if root in modules and not _dotted(target).startswith("os.environ"):
                        add(node, f"replaces part of a library ({_dotted(target)})")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and (
                node.func.id in ("setattr", "delattr") and node.args
                and _root(node.args[0]) in modules):
            add(node, f"replaces part of a library ({node.func.id}({_dotted(node.args[0])}, "
                      "...))")
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in helpers:
            add(node, f"defines its own {node.name}, the name of one of the course's helpers")
    for node in ast.walk(tree):
        # The framework's layer, reached through its module (keras.layers.LSTM, nn.RNN) or
        # imported from it: a bare name is the student's own class of that name.
        names = [node.attr] if isinstance(node, ast.Attribute) else (
            [a.name for a in node.names] if isinstance(node, ast.ImportFrom) else [])
        for name in names:
            if name in forbidden:
                add(node, f"uses the framework's {name}, the layer this task asks you to "
                          "write yourself")
    return sorted(set(found))


def lesson_rules(config, resources: dict) -> dict[str, list[str]]:
    """`rnncourse.write_yourself` of the assignment's source notebook ({} without one)."""
    from nbgrader.coursedir import CourseDirectory

    info = resources.get("nbgrader", {}) if resources else {}
    if not info.get("assignment") or not info.get("notebook"):
        return {}
    coursedir = CourseDirectory(config=config)
    folder = Path(coursedir.format_path(coursedir.source_directory, ".", info["assignment"]))
    try:
        nb = read_notebook(folder / f"{info['notebook']}.ipynb")
    except NotebookError:
        return {}
    rules = nb.metadata.get("rnncourse", {}).get("write_yourself", {})
    return {str(k): [str(n) for n in v] for k, v in rules.items() if isinstance(v, list)}


def flags_in_course(root: Path, assignment: str) -> dict[str, list[dict]]:
    """Every graded student's findings, from the notebooks under autograded/ (students without
    any left out)."""
    found: dict[str, list[dict]] = {}
    for path in sorted(Path(root, "autograded").glob(f"*/{assignment}/*.ipynb")):
        try:
            nb = read_notebook(path)
        except NotebookError:
            continue
        flags = nb.metadata.get("rnncourse", {}).get("review") or []
        if flags:
            found.setdefault(path.parent.parent.name, []).extend(flags)
    return found


def format_flags(flags_by_student: dict[str, list[dict]]) -> str:
    """The "Flagged for review" list of a report: one block per student."""
    lines = []
    for student, flags in sorted(flags_by_student.items()):
        if not flags:
            continue
        lines.append(f"  {student}:")
        for flag in flags:
            lines.append(f"    {flag['cell']}, line {flag['line']}: {flag['what']}"
                         + (f"   | {flag['code']}" if flag.get("code") else ""))
    return "\n".join(lines)
