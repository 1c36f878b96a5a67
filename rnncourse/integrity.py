"""Generated submissions that hold every lesson to the grading's integrity rules.

Made from a lesson's source notebook and its mutants (tests/variants/), so a lesson added later
is held to the same rules without writing anything new:

* correct alternatives that must keep full marks:
  - `noisy_debugging`: the perfect solution with a debug line on stderr, a warning, a log record
    and a tqdm progress bar at the start of every function it defines;
  - `shadows_course_names`: the perfect solution that first binds, as names of its own, every
    name a test cell binds and every helper function the locked cells define before the first
    answer; a last cell (added by the student) reports whether those names were left alone;
* cheats, each over a buggy mutant, that must get exactly the mutant's honest score:
  `redefines_locked_helpers`, `patches_comparisons`, `swallows_assertions`,
  `input_transformer`, `patches_run_cell`.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

import nbformat
from nbformat import NotebookNode

from .kernel_guard import bound_names
from .notebooks import is_answer_cell, is_test_cell, strip_markers
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

SHADOW_REPORT = f'''_changed = sorted(n for n, v in _shadows.items() if globals().get(n) is not v)
print("{SHADOWS_INTACT}" if not _changed else f"shadowed names changed: {{_changed}}")'''

CHEATS: dict[str, str] = {
    "patches_comparisons": '''import math as _math
import sys as _sys

_math.isclose = lambda *args, **kwargs: True
if "numpy" in _sys.modules:
    _np = _sys.modules["numpy"]
    _np.allclose = lambda *args, **kwargs: True
    _np.isclose = lambda a, b, *args, **kwargs: _np.ones(
        _np.broadcast(_np.asarray(a), _np.asarray(b)).shape, dtype=bool)
    _np.testing.assert_allclose = lambda *args, **kwargs: None
if "torch" in _sys.modules:
    _torch = _sys.modules["torch"]
    _torch.allclose = lambda *args, **kwargs: True
    _torch.isclose = lambda a, b, *args, **kwargs: _torch.ones_like(
        _torch.as_tensor(a), dtype=_torch.bool)
if "tensorflow" in _sys.modules:
    _tf = _sys.modules["tensorflow"]
    _tf.debugging.assert_near = lambda *args, **kwargs: None
    _tf.debugging.assert_equal = lambda *args, **kwargs: None


''',
    "swallows_assertions": '''import builtins as _builtins
import sys as _sys


class _Quiet(Exception):
    pass


_builtins.AssertionError = _Quiet
get_ipython().set_custom_exc((BaseException,), lambda *args, **kwargs: None)
_sys.excepthook = lambda *args: None


''',
    "input_transformer": '''def _skip_checks(lines):
    return ["pass\\n"] if any('"""Check' in line for line in lines) else lines


get_ipython().input_transformers_cleanup.append(_skip_checks)


''',
    "patches_run_cell": '''_shell = get_ipython()
_real_run_cell, _real_run_cell_async = _shell.run_cell, _shell.run_cell_async


def _fake_run_cell(raw_cell, *args, **kwargs):
    return _real_run_cell("pass" if '"""Check' in raw_cell else raw_cell, *args, **kwargs)


async def _fake_run_cell_async(raw_cell, *args, **kwargs):
    if '"""Check' in raw_cell:
        raw_cell, kwargs["transformed_cell"] = "pass", "pass\\n"
    return await _real_run_cell_async(raw_cell, *args, **kwargs)


_shell.run_cell, _shell.run_cell_async = _fake_run_cell, _fake_run_cell_async


''',
}


class CourseNames:
    """What the cells of a lesson's source notebook bind and use."""

    def __init__(self, source: NotebookNode) -> None:
        self.test_bound: set[str] = set()
        self.early_helpers: set[str] = set()   # locked functions/classes before any answer
        self.later_bound: set[str] = set()     # names bound by locked or free cells later on
        self.answer_uses: set[str] = set()
        answered = False
        for cell in source.cells:
            if cell.cell_type != "code":
                continue
            tree = ast.parse(strip_markers(cell.source))
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if is_test_cell(cell):
                self.test_bound |= bound_names(tree)
            elif is_answer_cell(cell):
                answered = True
                self.answer_uses |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
                self.answer_uses |= bound_names(tree)
            elif meta.get("locked") and not answered:
                self.early_helpers |= {
                    node.name for node in tree.body
                    if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
            else:
                self.later_bound |= bound_names(tree)

    def shadowable(self) -> list[str]:
        names = (self.test_bound | self.early_helpers) - self.answer_uses - self.later_bound
        return sorted(names)

    def helpers(self) -> list[str]:
        return sorted(self.early_helpers - self.answer_uses - self.later_bound)


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


def alternatives(source: NotebookNode) -> list[Variant]:
    """The generated correct alternatives for a lesson (full marks expected)."""
    names = CourseNames(source).shadowable()

    def shadow(nb: NotebookNode) -> None:
        _prefix_first_answer(SHADOW.replace("__NAMES__", repr(names)))(nb)
        nb.cells.append(nbformat.v4.new_code_cell(SHADOW_REPORT))

    return [
        Variant("noisy_debugging", (), why="correct, but every function prints to stderr, "
                "warns, logs and shows a tqdm bar", edit=_make_noisy),
        Variant("shadows_course_names", (), why="correct, and binds names of its own like "
                f"every test temporary and early locked helper ({len(names)} names)",
                edit=shadow),
    ]


def cheat_target(mutants: list[Variant], grade_ids: set[str]) -> Variant:
    """The mutant the cheats are laid over: the one failing most checks, not all of them."""
    partial = [m for m in mutants if m.fails < grade_ids] or mutants
    return max(partial, key=lambda m: len(m.fails))


def cheats(source: NotebookNode, mutants: list[Variant], grade_ids: set[str]) -> list[Variant]:
    """Cheats over one mutant; each must score exactly what the mutant honestly scores."""
    target = cheat_target(mutants, grade_ids)
    helpers = CourseNames(source).helpers()
    codes = dict(CHEATS)
    codes["redefines_locked_helpers"] = "".join(
        f"def {name}(*args, **kwargs):\n    return None\n\n\n" for name in helpers)

    def build(kind: str, code: str) -> Variant:
        def edit(nb: NotebookNode) -> None:
            if target.edit is not None:
                target.edit(nb)
            _prefix_first_answer(code)(nb)

        return Variant(f"{kind}__{target.name}", target.patches, fails=target.fails,
                       why=f"{kind.replace('_', ' ')}, over the bug {target.name}", edit=edit)

    return [build(kind, code) for kind, code in sorted(codes.items())]
