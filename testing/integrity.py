"""Generated submissions that hold every lesson to the grading's integrity rules.

Made from a lesson's source notebook and its mutants (tests/variants/), so a lesson added later
is held to the same rules without writing anything new:

* correct alternatives that must keep full marks:
  - `noisy_debugging`: the perfect solution with a debug line on stderr, a warning, a log record
    and a tqdm progress bar at the start of every function it defines;
  - `shadows_course_names`: the perfect solution that first binds, as names of its own, every
    name a test cell binds and every helper function the locked cells define before the first
    answer; a last cell (added by the student) reports whether those names were left alone;
  - `helpers_named_like_course_names`: the perfect solution whose answer cells each define, at
    module level, a helper function named like every name a course cell (locked, test, hidden
    test, probe) binds or reads, and whose every function first calls all of those helpers
    through its globals, so that a name of the course's that replaced or removed one of the
    student's while the checks ran fails the check that ran it;
* cheats, each over a buggy mutant, that must get exactly the mutant's honest score (their
  code is in testing.cheat_code and testing.cheat_rewrites): against the checks' helpers,
  comparisons and assertions (`redefines_locked_helpers`, `patches_comparisons`,
  `swallows_assertions`), against IPython
  (`input_transformer`, `patches_run_cell`), and against the process the checks ran in before
  the judge: the kernel object (`fakes_kernel_replies`), `gc` (`edits_objects_with_gc`), call
  frames (`reads_the_checks_frames`), framework classes (`patches_framework_classes`) and values
  that lie to comparisons (`lies_to_comparisons`).
"""

from __future__ import annotations

import ast
import builtins
import keyword
import symtable
import types
from collections.abc import Callable

import nbformat
from nbformat import NotebookNode

from rnncourse.engine.channel import bound_names
from rnncourse.engine.notebooks import is_answer_cell, is_test_cell, strip_markers
from rnncourse.engine.probe_lint import own_names

from . import cheat_code, cheat_rewrites
from .variants import Variant

SHADOWS_INTACT = "shadowed names intact"

NOISE = '''import logging as _noise_logging
import sys as _noise_sys
import warnings as _noise_warnings

from tqdm import tqdm as _noise_tqdm


def _noise(where):
    """What debugging leaves behind: stderr, a warning, a log record, a progress bar."""
    print(f"debug: entering {where}", file=_noise_sys.stderr)
    _noise_warnings.warn(f"{where} is still being debugged")
    _noise_logging.getLogger("student").warning("entered %s", where)
    for _ in _noise_tqdm(range(2), desc=where, leave=False):
        pass


'''

SHADOW = '''class _Shadow:
    """A name of the student's own; a check that uses it fails loudly."""

    def __init__(self, name):
        self.name = name

    def __call__(self, *args, **kwargs):
        raise RuntimeError(f"a check used the student's own {self.name!r}")

    def __repr__(self):
        return f"<the student's own {self.name}>"


_shadows = {}
for _name in __NAMES__:
    _shadows[_name] = globals()[_name] = _Shadow(_name)


'''

# Helpers named like the course's names: each answer cell first notes what every such name
# meant until then (the course's function, a builtin function, or nothing), then defines its
# helper under that name. A helper does what the name did before it (or nothing), so the
# notebook's own cells still run; `_students_touch`, called first by every function of the
# answer cells, calls each helper through the notebook's globals and stops when a name is no
# longer the student's.
NAMED_HELPERS = '''import builtins as _students_builtins

_STUDENTS_HELPERS = __NAMES__
try:
    _students_made
except NameError:
    _students_made, _students_originals = {}, {}
for _students_name in _STUDENTS_HELPERS:
    _students_value = _students_builtins.globals().get(
        _students_name, _students_builtins.vars(_students_builtins).get(_students_name))
    if _students_value is not _students_made.get(_students_name):
        _students_originals[_students_name] = _students_value


def _students_call(name, args, kwargs):
    """A helper's work: what its name did before it took the name, or nothing."""
    if kwargs.pop("_students_ping", False):
        return name
    original = _students_originals.get(name)
    return original(*args, **kwargs) if _students_builtins.callable(original) else None


def _students_helper(name):
    """A helper for `name`, made by a function rather than written out."""
    def helper(*args, **kwargs):
        return _students_call(name, args, kwargs)
    return helper


def _students_touch():
    """Call every helper through this notebook's globals; fail if one is not ours any more."""
    here = _students_builtins.globals()
    for name in _STUDENTS_HELPERS:
        if name not in here:
            raise NameError(f"the student's helper {name!r} was removed from the notebook")
        if here[name] is not _students_made[name]:
            raise RuntimeError(f"the student's helper {name!r} was replaced by {here[name]!r}")
        if here[name](_students_ping=True) != name:
            raise RuntimeError(f"the student's helper {name!r} answers for another name")


__HELPERS__for _students_name in _STUDENTS_HELPERS:
    _students_made[_students_name] = _students_builtins.globals()[_students_name]


'''

SHADOW_REPORT = f'''_changed = sorted(n for n, v in _shadows.items() if globals().get(n) is not v)
print("{SHADOWS_INTACT}" if not _changed else f"shadowed names changed: {{_changed}}")'''

CHEATS: dict[str, str] = {
    "patches_comparisons": cheat_code.PATCHES_COMPARISONS,
    "swallows_assertions": cheat_code.SWALLOWS_ASSERTIONS,
    "input_transformer": cheat_code.INPUT_TRANSFORMER,
    "patches_run_cell": cheat_code.PATCHES_RUN_CELL,
    "fakes_kernel_replies": cheat_code.FAKES_KERNEL_REPLIES,
}
# Cheats that also change the student's functions: (code, what each function does first,
# what each of its return values is wrapped in).
REWRITING_CHEATS: dict[str, tuple[str, str | None, str | None]] = {
    "reads_the_checks_frames": (cheat_rewrites.READS_THE_CHECKS_FRAMES,
                                "_stolen = _steal()\nif _stolen is not None:\n    return _stolen",
                                None),
    "patches_framework_classes": (cheat_rewrites.PATCHES_FRAMEWORK_CLASSES, None, "_remember"),
    "lies_to_comparisons": (cheat_rewrites.LIES_TO_COMPARISONS, None, "_liar"),
}
# Functions whose first statements and return values are left alone.
PLAIN_METHODS = {"__init__", "build", "__post_init__"}


# Builtins that read the frame they are called from: a helper cannot stand in for them.
FRAME_BUILTINS = {"breakpoint", "dir", "eval", "exec", "globals", "locals", "vars"}


class CourseNames:
    """What the cells of a lesson's source notebook bind and use."""

    def __init__(self, source: NotebookNode) -> None:
        self.test_bound: set[str] = set()
        self.early_helpers: set[str] = set()   # locked functions/classes before any answer
        self.later_bound: set[str] = set()     # names bound by locked or free cells later on
        self.answer_uses: set[str] = set()
        self.answer_globals: set[str] = set()  # what answer cells bind or read as globals
        self.course_names: set[str] = set()    # bound or read by a locked or test cell
        self.course_defined: set[str] = set()  # their top-level functions and classes
        self.locked_functions: set[str] = set()  # what locked cells bind with `def` alone
        locked_other: set[str] = set()         # what they bind otherwise
        self.free_bound: set[str] = set()      # bound by the notebook's free cells
        self.free_read: set[str] = set()       # read by them
        answered = False
        for cell in source.cells:
            if cell.cell_type != "code":
                continue
            tree = ast.parse(strip_markers(cell.source))
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if is_test_cell(cell) or meta.get("locked"):
                self.course_names |= every_name(tree)
                self.course_defined |= {node.name for node in tree.body if isinstance(
                    node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
            if meta.get("locked") and not is_test_cell(cell):
                defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
                self.locked_functions |= defined
                locked_other |= bound_names(tree) - defined
            elif not (is_test_cell(cell) or is_answer_cell(cell)):
                self.free_bound |= bound_names(tree)
                self.free_read |= every_name(tree)
            if is_test_cell(cell):
                self.test_bound |= bound_names(tree)
            elif is_answer_cell(cell):
                answered = True
                self.answer_globals |= global_names(strip_markers(cell.source))
                self.answer_uses |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
                self.answer_uses |= bound_names(tree)
            elif meta.get("locked") and not answered:
                self.early_helpers |= {
                    node.name for node in tree.body
                    if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
            else:
                self.later_bound |= bound_names(tree)

        self.locked_functions -= locked_other
        del locked_other

    def helper_names(self) -> list[str]:
        """Every name of a course cell that a student's module-level helper could take: not
        one the answers themselves need or bind, not one a free cell binds, and one that a free
        cell reads only where a helper can stand in for it (the course's function or a builtin
        function, called through the helper)."""
        functions = {name for name, value in vars(builtins).items()
                     if isinstance(value, types.BuiltinFunctionType)} - FRAME_BUILTINS
        stand_in = self.locked_functions | functions
        names = self.course_names - self.answer_globals - self.free_bound
        names -= {name for name in self.free_read if name not in stand_in}
        return sorted(name for name in names
                      if not name.startswith("__") and not keyword.iskeyword(name)
                      and not name.startswith("_students")
                      and (name in functions or name not in vars(builtins)))

    def shadowable(self) -> list[str]:
        names = (self.test_bound | self.early_helpers) - self.answer_uses - self.later_bound
        return sorted(names)

    def helpers(self) -> list[str]:
        return sorted(self.early_helpers - self.answer_uses - self.later_bound)


def every_name(tree: ast.AST) -> set[str]:
    """Every name a piece of code binds or reads, at any depth: what it binds (variables,
    arguments, functions, classes, imports and exception names) and every name it reads."""
    return own_names(tree) | {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


def global_names(source: str) -> set[str]:
    """The names a piece of code binds or reads as globals, in any of its scopes (a function's
    own variables are not among them)."""
    names: set[str] = set()

    def visit(table: symtable.SymbolTable) -> None:
        for symbol in table.get_symbols():
            if table.get_type() == "module" or symbol.is_global():
                names.add(symbol.get_name())
        for child in table.get_children():
            visit(child)

    visit(symtable.symtable(source, "<answer>", "exec"))
    return names


def _first_answer(nb: NotebookNode) -> NotebookNode:
    return next(cell for cell in nb.cells if is_answer_cell(cell))


def _prefix_first_answer(code: str) -> Callable[[NotebookNode], None]:
    def edit(nb: NotebookNode) -> None:
        cell = _first_answer(nb)
        cell.source = code + cell.source
    return edit


def with_noise(source: str) -> str:
    """`source` with `_noise("name")` as the first statement of every function it defines."""
    lines = source.splitlines()
    inserts = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.body[0]
            if first.lineno > node.lineno:
                inserts.append((first.lineno - 1, " " * first.col_offset, node.name))
    for index, indent, name in sorted(inserts, reverse=True):
        lines.insert(index, f"{indent}_noise({name!r})")
    return "\n".join(lines)


def _make_noisy(nb: NotebookNode) -> None:
    for cell in nb.cells:
        if is_answer_cell(cell):
            cell.source = with_noise(cell.source)
    _prefix_first_answer(NOISE)(nb)


def named_helpers(names: list[str], course_defined: set[str] = frozenset()) -> str:
    """The code an answer cell of `helpers_named_like_course_names` starts with.

    The names of the course's own functions and classes are bound by assignment, to a helper
    made by `_students_helper`: the review lists a `def` of such a name for the instructor
    (rnncourse.engine.review_flags), which is its job, and this student is about the grading's
    namespaces, not about the review."""
    helpers = "".join(
        f"{name} = _students_helper({name!r})\n\n\n" if name in course_defined else
        f"def {name}(*args, **kwargs):\n    return _students_call({name!r}, args, kwargs)\n\n\n"
        for name in names)
    return NAMED_HELPERS.replace("__NAMES__", repr(names)).replace("__HELPERS__", helpers)


def _with_named_helpers(names: list[str], course_defined: set[str]
                        ) -> Callable[[NotebookNode], None]:
    code = named_helpers(names, course_defined)

    def edit(nb: NotebookNode) -> None:
        for cell in nb.cells:
            if is_answer_cell(cell):
                cell.source = code + rewrite_functions(cell.source, "_students_touch()",
                                                       every_function=True)
    return edit


def alternatives(source: NotebookNode) -> list[Variant]:
    """The generated correct alternatives for a lesson (full marks expected)."""
    course = CourseNames(source)
    names = course.shadowable()
    helpers = course.helper_names()

    def shadow(nb: NotebookNode) -> None:
        _prefix_first_answer(SHADOW.replace("__NAMES__", repr(names)))(nb)
        nb.cells.append(nbformat.v4.new_code_cell(SHADOW_REPORT))

    return [
        Variant("noisy_debugging", (), why="correct, but every function prints to stderr, "
                "warns, logs and shows a tqdm bar", edit=_make_noisy),
        Variant("shadows_course_names", (), why="correct, and binds names of its own like "
                f"every test temporary and early locked helper ({len(names)} names)",
                edit=shadow),
        Variant("helpers_named_like_course_names", (), why="correct, with a module-level "
                f"helper named like each of the {len(helpers)} names the course's cells bind "
                "or read, which all of its functions call",
                edit=_with_named_helpers(helpers, course.course_defined)),
    ]


def cheat_target(mutants: list[Variant], grade_ids: set[str]) -> Variant:
    """The mutant the cheats are laid over: the one failing most checks, not all of them."""
    partial = [m for m in mutants if m.fails < grade_ids] or mutants
    return max(partial, key=lambda m: len(m.fails))


# Where a test cell's reference classes live, by how the lessons write them.
FRAMEWORK_MODULES = {"keras.layers": "keras.layers", "nn": "torch.nn", "torch.nn": "torch.nn"}


def framework_references(source: NotebookNode) -> list[tuple[str, str]]:
    """(module, class) of every framework class the lesson's test cells name."""
    found = set()
    for cell in source.cells:
        if not is_test_cell(cell):
            continue
        for node in ast.walk(ast.parse(strip_markers(cell.source))):
            if isinstance(node, ast.Attribute) and node.attr[:1].isupper():
                module = FRAMEWORK_MODULES.get(ast.unparse(node.value))
                if module:
                    found.add((module, node.attr))
            elif isinstance(node, ast.Name) and node.id == "torch":
                found.add(("torch", "Tensor"))
    return sorted(found)


class _Rewrite(ast.NodeTransformer):
    """Give every function a first statement and/or wrap each value it returns."""

    def __init__(self, first: str | None, wrap: str | None, every_function: bool = False) -> None:
        self.first = ast.parse(first).body if first else []
        self.wrap = wrap
        self.every_function = every_function

    def visit_FunctionDef(self, node):
        self.generic_visit(node)
        if node.name in PLAIN_METHODS and not self.every_function:
            return node
        if self.wrap:
            for statement in _own_statements(node.body):
                if isinstance(statement, ast.Return) and statement.value is not None:
                    statement.value = ast.Call(ast.Name(self.wrap, ast.Load()),
                                               [statement.value], [])
        documented = (node.body and isinstance(node.body[0], ast.Expr)
                      and isinstance(getattr(node.body[0], "value", None), ast.Constant))
        at = 1 if documented else 0
        node.body[at:at] = [ast.parse(ast.unparse(s)).body[0] for s in self.first]
        return node

    visit_AsyncFunctionDef = visit_FunctionDef


def _own_statements(body: list[ast.stmt]):
    """The statements of a function's body, nested blocks included, nested functions not."""
    for statement in body:
        yield statement
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for field in ("body", "orelse", "finalbody", "handlers"):
            block = getattr(statement, field, None)
            if isinstance(block, list):
                inner = [b for b in block if isinstance(b, ast.stmt)]
                inner += [s for h in block if isinstance(h, ast.excepthandler) for s in h.body]
                yield from _own_statements(inner)


def rewrite_functions(source: str, first: str | None = None, wrap: str | None = None,
                      every_function: bool = False) -> str:
    """`source` with `first` at the start of every function and each return wrapped in `wrap`
    (`__init__`, `build` and `__post_init__` left alone unless `every_function`)."""
    tree = _Rewrite(first, wrap, every_function).visit(ast.parse(source))
    return ast.unparse(ast.fix_missing_locations(tree))


def cheats(source: NotebookNode, mutants: list[Variant], grade_ids: set[str]) -> list[Variant]:
    """Cheats over one mutant; each must score exactly what the mutant honestly scores."""
    target = cheat_target(mutants, grade_ids)
    names = CourseNames(source)
    helpers = names.helpers()
    checkers = sorted(n for n in names.early_helpers if n.startswith(("check_", "assert_")))
    references = framework_references(source)
    codes = dict(CHEATS)
    codes["redefines_locked_helpers"] = "".join(
        f"def {name}(*args, **kwargs):\n    return None\n\n\n" for name in helpers)
    codes["edits_objects_with_gc"] = cheat_code.EDITS_OBJECTS_WITH_GC.replace(
        "__HELPERS__", repr(checkers))

    def build(kind: str, code: str, first: str | None = None,
              wrap: str | None = None) -> Variant:
        def edit(nb: NotebookNode) -> None:
            if target.edit is not None:
                target.edit(nb)
            if first or wrap:
                for cell in nb.cells:
                    if is_answer_cell(cell):
                        cell.source = rewrite_functions(cell.source, first, wrap)
            _prefix_first_answer(code)(nb)

        return Variant(f"{kind}__{target.name}", target.patches, fails=target.fails,
                       why=f"{kind.replace('_', ' ')}, over the bug {target.name}", edit=edit)

    made = [build(kind, code) for kind, code in codes.items()]
    for kind, (code, first, wrap) in REWRITING_CHEATS.items():
        made.append(build(kind, code.replace("__REFERENCES__", repr(references)), first, wrap))
    return sorted(made, key=lambda v: v.name)
