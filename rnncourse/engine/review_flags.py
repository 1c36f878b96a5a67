"""What a submission's own cells do that an instructor should look at: listed, not scored.

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
  `{answer grade id: [names]}`), or reaches below PyTorch's public functions (`torch._C`,
  `torch._VF`, `torch.ops.aten`).

A name the scan cannot read (`getattr(keras.layers, "Simple" + "RNN")`) is seen while the code
runs instead: the student's kernel watches the frameworks' layers (`layer_watch`), and the
judge reports each forbidden one that ran inside a probe of the task's checks
(`rnncourse.engine.layer_rules`). A course may make such use cost the check's points
(`JudgedExecute.write_yourself_costs_points`).

`JudgedExecute` stores the list in the graded notebook's metadata (`rnncourse.review`);
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
# PyTorch's internals, where its fused kernels can be reached past the layer watch.
TORCH_INSIDES = {"_C", "_VF", "_VariableFunctions", "aten"}
INTERPRETER_MODULES = {"gc": "the interpreter's object list (gc)", "ctypes": "ctypes",
                       "ipykernel": "the kernel's own modules (ipykernel)",
                       "jupyter_client": "the kernel's messaging (jupyter_client)", "zmq": "zmq"}
GRADER_WORDS = re.compile(r"NBGRADER_EXECUTION|RNNCOURSE_|kernel_guard|student_kernel|rnncourse|"
                          r"_run_probe|_run_locked|ANSWER_MIME|<probe |<locked cell ")


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


GRADER = "mentions the grader (NBGRADER_EXECUTION or the course's grading code)"


def _findings(source: str, modules: set[str], forbidden: set[str],
              helpers: set[str] = frozenset()) -> list[tuple[int, str]]:
    """(line, what) of every finding in one cell's source."""
    try:
        tree = ast.parse(_python(source))
    except SyntaxError:
        return [(number, GRADER) for number, line in enumerate(source.splitlines(), start=1)
                if GRADER_WORDS.search(line)]
    found = [(getattr(node, "lineno", 0), what) for node in ast.walk(tree)
             for what in _interpreter(node) + _library(node, modules)
             + _framework_layer(node, forbidden)]
    found += [(node.lineno, f"defines its own {node.name}, the name of one of the course's "
                            "helpers") for node in tree.body
              if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in helpers]
    return sorted(set(found))


def _interpreter(node: ast.AST) -> list[str]:
    """What `node` does to reach into the interpreter, IPython, the kernel or the grader."""
    if isinstance(node, ast.Name) and node.id == "get_ipython":
        return ["uses IPython's shell object (get_ipython), through which the kernel can be "
                "reached"]
    if isinstance(node, ast.Attribute):
        attr, root = node.attr, _root(node)
        if attr == "kernel" and "get_ipython" in _dotted(node.value):
            return ["reaches the kernel object (get_ipython().kernel)"]
        if attr in FRAMES and root not in (None, "self") and (
                attr not in ("stack", "trace") or root == "inspect"):
            return [f"walks the call stack ({_dotted(node)})"]
        if attr in FUNCTION_INSIDES:
            return [f"reads or replaces a function's insides ({attr})"]
        if attr in DISPATCH:
            return [f"changes how a framework dispatches operations ({attr})"]
        if attr in HOOKS:
            return [f"installs an interpreter or IPython hook ({attr})"]
        if attr == "modules" and root == "sys":
            return ["reads or changes sys.modules"]
        if attr in TORCH_INSIDES:
            return [f"reaches below PyTorch's public functions ({_dotted(node)}), where its "
                    "fused kernels are"]
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        found = []
        for alias in node.names:
            top = (node.module if isinstance(node, ast.ImportFrom) and node.module
                   else alias.name).partition(".")[0]
            if top in INTERPRETER_MODULES:
                found.append(f"imports {INTERPRETER_MODULES[top]}")
            if alias.name in DISPATCH or alias.name in {"_getframe", "currentframe"}:
                found.append(f"imports {alias.name}")
            module = node.module if isinstance(node, ast.ImportFrom) else alias.name
            if {alias.name, *(module or "").split(".")} & TORCH_INSIDES:
                found.append(f"imports from below PyTorch's public functions "
                             f"({module}{'.' + alias.name if module != alias.name else ''})")
        return found
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        if node.name in DISPATCH:
            return [f"defines {node.name}, which changes how a framework dispatches operations"]
        if node.name in COMPARISONS:
            return [f"defines {node.name}, which changes how its values compare"]
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and (
            GRADER_WORDS.search(node.value)):
        return [GRADER]
    return []


def _library(node: ast.AST, modules: set[str]) -> list[str]:
    """What `node` replaces of a library (an attribute of an imported module or class)."""
    if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
        targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
        return [f"replaces part of a library ({_dotted(target)})" for target in targets
                if isinstance(target, (ast.Attribute, ast.Subscript))
                and _root(target) in modules and not _dotted(target).startswith("os.environ")]
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id in ("setattr", "delattr") and node.args
            and _root(node.args[0]) in modules):
        return [f"replaces part of a library ({node.func.id}({_dotted(node.args[0])}, ...))"]
    return []


def _framework_layer(node: ast.AST, forbidden: set[str]) -> list[str]:
    """The framework layer a task asks students to write, used here through its module
    (keras.layers.LSTM, nn.RNN) or imported from it; a bare name is the student's own class."""
    names = [node.attr] if isinstance(node, ast.Attribute) else (
        [a.name for a in node.names] if isinstance(node, ast.ImportFrom) else [])
    return [f"uses the framework's {name}, the layer this task asks you to write yourself"
            for name in names if name in forbidden]


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
            where = f", line {flag['line']}" if flag.get("line") else " (while graded)"
            lines.append(f"    {flag['cell']}{where}: {flag['what']}"
                         + (f"   | {flag['code']}" if flag.get("code") else ""))
    return "\n".join(lines)
