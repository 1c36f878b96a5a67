"""Does the package keep its shape? Each of its parts imports only the parts below it, nothing
installed imports the test fixtures, no module imports itself round a cycle, nothing reads
tests/, importing a module changes nothing, and modules and functions stay small enough to
read. (ARCHITECTURE.md draws the parts; tests/test_docs.py keeps it true.)"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from testing import REPO

pytestmark = pytest.mark.unit

PACKAGE = REPO / "rnncourse"
MODULES = sorted(PACKAGE.rglob("*.py"))
FIXTURES = sorted((REPO / "testing").rglob("*.py"))
# Each part of the package, by the module prefixes it holds, and what it may import: the engine
# nothing of ours, the class grader the engine, the course's build both. The test fixtures
# (testing/) may import anything, and nothing installed imports them.
PARTS = {"engine": ("rnncourse.engine",), "grading": ("rnncourse.grading", "rnncourse.grade"),
         "course": ("rnncourse.course",), "testing": ("testing",)}
MAY_IMPORT = {"engine": {"engine"}, "grading": {"engine", "grading"},
              "course": {"engine", "grading", "course"}}
MAX_LINES, MAX_FUNCTION = 300, 60
# Over the limits, and being rewritten (whose owners remove them from here).
KNOWN_LONG: set[str] = set()


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")


KNOWN = {module_name(p) for p in MODULES + FIXTURES}


def part(module: str) -> str | None:
    """Which part a module belongs to; None for the package's own __init__ and its shim."""
    for name, prefixes in PARTS.items():
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return name
    return None


def imported(path: Path) -> set[str]:
    """The modules of ours that `path` imports anywhere in it (relative imports resolved; a
    `from package import module` counts as the module)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else (
                package if node.level else "")
            module = ".".join(p for p in (base, node.module) if p)
            found |= {module} | {f"{module}.{a.name}" for a in node.names}
    return found & KNOWN


@pytest.mark.parametrize("path", MODULES, ids=module_name)
def test_each_part_imports_only_the_parts_below_it(path):
    """Does the module import only its own part and those below (engine, grading, course),
    and never the test fixtures?"""
    own = part(module_name(path))
    allowed = MAY_IMPORT.get(own, {"engine", "grading", "course", None})
    leaks = sorted(n for n in imported(path) if part(n) not in allowed and n != "rnncourse")
    assert not leaks, f"{module_name(path)} ({own or 'package'}) imports {leaks}"


def test_no_module_of_the_package_imports_itself_round_a_cycle():
    """Is the graph of imports between the package's modules free of cycles?"""
    graph = {module_name(p): imported(p) for p in MODULES}
    finished: set[str] = set()

    def visit(node: str, trail: list[str]) -> None:
        if node in trail:
            cycle = trail[trail.index(node):] + [node]
            raise AssertionError(f"import cycle: {' -> '.join(cycle)}")
        if node in finished:
            return
        for nxt in sorted(graph.get(node, ())):
            if nxt != node and not node.startswith(nxt + "."):  # its own package
                visit(nxt, [*trail, node])
        finished.add(node)

    for node in sorted(graph):
        visit(node, [])


def docstrings(tree: ast.AST) -> set[int]:
    """The ids of the docstring nodes of a module and its classes and functions."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            if node.body and isinstance(node.body[0], ast.Expr) and isinstance(
                    node.body[0].value, ast.Constant):
                found.add(id(node.body[0].value))
    return found


@pytest.mark.parametrize("path", MODULES, ids=module_name)
def test_nothing_in_the_package_reads_the_tests_folder(path):
    tree = ast.parse(path.read_text())
    skip = docstrings(tree)
    strings = [node for node in ast.walk(tree) if isinstance(node, ast.Constant)
               and isinstance(node.value, str) and id(node) not in skip]
    reads = [s.value for s in strings if s.value == "tests" or s.value.startswith("tests/")]
    assert not reads, f"{path.name} names the tests folder: {reads} (take it as a parameter)"


def test_importing_the_package_changes_nothing_in_the_process():
    names = [module_name(p).removesuffix(".__init__") for p in MODULES]
    script = (
        "import importlib, json, os, sys\n"
        "before = (dict(os.environ), os.getcwd())\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "after = (dict(os.environ), os.getcwd())\n"
        "changed = {k: [before[0].get(k), after[0].get(k)] for k in set(before[0]) | "
        "set(after[0]) if before[0].get(k) != after[0].get(k)}\n"
        "print(json.dumps({'env': changed, 'cwd': before[1] != after[1]}))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=300, cwd=REPO)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"env": {}, "cwd": False}, result


@pytest.mark.parametrize("path", [p for p in MODULES if p.name not in KNOWN_LONG],
                         ids=module_name)
def test_modules_and_functions_stay_short(path):
    text = path.read_text()
    assert len(text.splitlines()) <= MAX_LINES, f"{path.name}: split it by job"
    long = [f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
            for node in ast.walk(ast.parse(text))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.end_lineno - node.lineno + 1 > MAX_FUNCTION]
    assert not long, f"{path.name}: {', '.join(long)}"


def test_the_old_names_in_an_earlier_course_config_still_load_with_a_warning():
    """Does a course folder whose nbgrader_config.py names the modules and classes by their
    names before the three folders still get the right ones, told what to write instead?"""
    script = (
        "import warnings\n"
        "from traitlets.utils.importstring import import_item\n"
        "warnings.simplefilter('always')\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    old = import_item('rnncourse.guarded_execute.GuardedExecute')\n"
        "    step = import_item('rnncourse.nbgrader_steps.StderrIsOutput')\n"
        "    plugin = import_item('rnncourse.grading.lms_names.CanvasCollector')\n"
        "from rnncourse.engine.judged_execute import JudgedExecute\n"
        "from rnncourse.engine.preprocessors import StderrIsOutput\n"
        "from rnncourse.grading.lms.names import CanvasCollector\n"
        "assert (old, step, plugin) == (JudgedExecute, StderrIsOutput, CanvasCollector)\n"
        "said = ' '.join(str(w.message) for w in caught if w.category is FutureWarning)\n"
        "assert 'rnncourse.engine.judged_execute.JudgedExecute' in said, said\n"
        "assert 'rnncourse.grading.lms.names' in said, said\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=300, cwd=REPO)
    assert done.returncode == 0, done.stderr[-3000:]
