"""Known submissions built as small patches over the perfect student.

Each assignment has a variants file `<assignment>.py` (the course's are in tests/variants/)
that defines:

* ``MUTANTS`` -- realistic buggy submissions, each with the exact set of grade ids it must fail;
* ``ALTERNATIVES`` -- correct submissions written differently, which must get full marks;
* ``DEMO`` -- which known students (rnncourse.known_class) `make demo` shows in its rows
  `typical_bug_1`, `typical_bug_2` and `different_but_right` (saved for the demo by
  rnncourse.demo_class).

The pipeline tests grade every mutant and alternative with nbgrader, in the class that
rnncourse.known_class builds.
"""

from __future__ import annotations

import copy
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from nbformat import NotebookNode

from .notebooks import cells_by_id, is_answer_cell


@dataclass(frozen=True)
class Patch:
    """Replace `old` by `new` in the answer cell `cell` (`old=None`: the whole cell)."""

    cell: str
    new: str
    old: str | None = None


@dataclass(frozen=True)
class Variant:
    name: str
    patches: tuple[Patch, ...]
    fails: frozenset[str] = field(default_factory=frozenset)
    why: str = ""
    # Further changes made after the patches (generated variants: see rnncourse.integrity).
    edit: Callable[[NotebookNode], None] | None = None

    def apply(self, perfect: NotebookNode) -> NotebookNode:
        """A copy of `perfect` with the patches applied; stale patches are an error."""
        nb = self._patched(perfect)
        if self.edit is not None:
            self.edit(nb)
        return nb

    def _patched(self, perfect: NotebookNode) -> NotebookNode:
        nb = copy.deepcopy(perfect)
        cells = cells_by_id(nb)
        for patch in self.patches:
            cell = cells.get(patch.cell)
            if cell is None or not is_answer_cell(cell):
                raise ValueError(f"variant {self.name}: no answer cell {patch.cell!r}")
            if patch.old is None:
                cell.source = patch.new.strip("\n")
                continue
            count = cell.source.count(patch.old)
            if count != 1:
                raise ValueError(
                    f"variant {self.name}: {patch.old!r} occurs {count} times in cell "
                    f"{patch.cell!r}, expected once"
                )
            cell.source = cell.source.replace(patch.old, patch.new)
        return nb


def mutant(name: str, why: str, fails: set[str], *patches: Patch) -> Variant:
    if not fails:
        raise ValueError(f"mutant {name} must list the grade ids it fails")
    return Variant(name=name, patches=patches, fails=frozenset(fails), why=why)


def alternative(name: str, why: str, *patches: Patch) -> Variant:
    return Variant(name=name, patches=patches, why=why)


def load_variants(path: Path | str) -> tuple[list[Variant], list[Variant]]:
    """Load ``(MUTANTS, ALTERNATIVES)`` from a variants file."""
    module = _load(path)
    return list(module.MUTANTS), list(module.ALTERNATIVES)


def load_demo(path: Path | str) -> dict[str, str] | None:
    """The ``DEMO`` mapping of a variants file, `{demo row: known student}`; None if it has none."""
    demo = getattr(_load(path), "DEMO", None)
    return None if demo is None else dict(demo)


def demo_problem(path: Path | str, chosen: dict[str, str] | None, rows: list[str]) -> str | None:
    """What is wrong with the ``DEMO`` `chosen` of the variants file `path` for the demo's
    `rows`; None when it fills exactly those rows."""
    if chosen is not None and set(chosen) == set(rows):
        return None
    given = "no DEMO" if chosen is None else f"DEMO for {', '.join(sorted(chosen))}"
    return (f"{path} must set DEMO = {{row: known student}} for the demo's rows "
            f"{', '.join(rows)}; it has {given}")


def _load(path: Path | str):
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no variants file for this assignment")
    spec = importlib.util.spec_from_file_location(f"variants_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
