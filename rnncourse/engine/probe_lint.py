"""The rules a lesson's course cells follow so that every verdict stays in the judge.

When a notebook is graded, locked cells run twice (in the student's kernel and in the judge),
test cells run in the judge, and only a test cell's probes (functions marked `@probe`) run in
the student's kernel. `problems(nb)` lists, cell by cell, what breaks these rules:

* every cell of the course is plain Python (no `%magic`, no `!shell`);
* a locked cell reads only builtins, its own names and the names of locked cells before it:
  the judge runs it without the student's cells;
* a probe is a function at the top level of a test cell with `@probe` as its only decorator;
  its body reads only its arguments, its own names, the locked cells' names and the answer
  cells' names (it runs in the student's kernel, where nothing else of the test cell exists),
  and it never asserts: it runs the student's code and returns what it computed;
* the rest of a test cell, the judge's part, reads only builtins, its own names, the locked
  cells' names and its probes, never a name of the student's; it binds no name that a locked
  or an answer cell binds; and it calls at least one probe (else it checks nothing of the
  student's).

`tests/test_integrity_rules.py` holds every lesson to them, lessons added later included.
"""

from __future__ import annotations

import ast
import builtins

from nbformat import NotebookNode

from .channel import bound_names
from .notebooks import grade_id, is_answer_cell, is_test_cell, strip_markers
from .probes import PROBE_DECORATOR, is_probe

BUILTINS = set(dir(builtins)) | {"__name__", "__file__", "get_ipython", "display"}


def own_names(tree: ast.AST) -> set[str]:
    """Every name `tree` binds anywhere inside: assignments, arguments, defs, imports, loops."""
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)
             and isinstance(n.ctx, (ast.Store, ast.Del))}
    for node in ast.walk(tree):
        if isinstance(node, ast.arguments):
            names |= {a.arg for a in [*node.posonlyargs, *node.args, *node.kwonlyargs,
                                      node.vararg, node.kwarg] if a}
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {a.asname or a.name.partition(".")[0] for a in node.names}
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
    return names


def read_names(nodes) -> set[str]:
    return {n.id for node in nodes for n in ast.walk(node)
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _asserts(node: ast.AST) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Assert):
            return True
        if isinstance(sub, ast.Raise) and sub.exc is not None and "AssertionError" in (
                ast.unparse(sub.exc)):
            return True
    return False


def problems(nb: NotebookNode) -> list[str]:
    """What in the notebook's course cells breaks the rules above ([] when nothing does)."""
    found: list[str] = []
    locked: set[str] = set()
    answers: set[str] = set()
    trees = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if not (meta.get("locked") or is_answer_cell(cell)):
            continue
        name = grade_id(cell) or f"cell {index + 1}"
        try:
            tree = ast.parse(strip_markers(cell.source))
        except SyntaxError as err:
            found.append(f"{name}: not plain Python ({err.msg}, line {err.lineno})")
            continue
        if is_answer_cell(cell):
            answers |= bound_names(tree)
        trees.append((name, cell, tree))
    for name, cell, tree in trees:
        if is_answer_cell(cell):
            continue
        if not is_test_cell(cell):
            unknown = read_names([tree]) - own_names(tree) - locked - BUILTINS
            if unknown:
                found.append(f"{name}: a locked cell reads {sorted(unknown)}, which no locked "
                             "cell before it binds (the judge runs locked cells alone)")
            locked |= bound_names(tree)
            continue
        found += _test_cell_problems(name, tree, locked, answers)
    return found


def _test_cell_problems(name: str, tree: ast.Module, locked: set[str],
                        answers: set[str]) -> list[str]:
    found = []
    probes = [node for node in tree.body if is_probe(node)]
    judge = [node for node in tree.body if not is_probe(node)]
    for node in ast.walk(tree):
        decorated = getattr(node, "decorator_list", [])
        if any(PROBE_DECORATOR in ast.unparse(d) for d in decorated) and node not in probes:
            found.append(f"{name}: {getattr(node, 'name', '?')} is marked as a probe but is not "
                         "a function at the top level of the cell with @probe alone")
    for probe in probes:
        unknown = read_names(probe.body) - own_names(probe) - locked - answers - BUILTINS
        if unknown:
            found.append(f"{name}: probe {probe.name} reads {sorted(unknown)}: a probe may use "
                         "only its arguments, its own names, locked and answer names")
        if _asserts(probe):
            found.append(f"{name}: probe {probe.name} asserts: verdicts belong to the judge")
    module = ast.Module(body=judge, type_ignores=[])
    mine = own_names(module) | {p.name for p in probes}
    unknown = read_names(judge) - mine - locked - BUILTINS
    if unknown & answers:
        found.append(f"{name}: the judge's part reads the student's {sorted(unknown & answers)}: "
                     "only a probe may use them")
    elif unknown:
        found.append(f"{name}: the judge's part reads {sorted(unknown)}, which nothing binds")
    clobbered = bound_names(module) & (locked | answers)
    if clobbered:
        found.append(f"{name}: rebinds {sorted(clobbered)}, a name of a locked or answer cell")
    called = {n.func.id for n in ast.walk(module) if isinstance(n, ast.Call)
              and isinstance(n.func, ast.Name)}
    if not called & {p.name for p in probes}:
        found.append(f"{name}: calls no probe, so it checks nothing of the student's")
    return found
