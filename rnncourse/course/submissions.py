"""Submissions the course derives from a lesson: the instructor's solution typed into the
student version, the students every lesson has, and known students made as small patches
over the perfect one (a `Variant`: its `Patch`es, and for a mutant the checks it must fail).

The demo class is made of these; the course's test fixtures (testing/) build whole classes of
them from each lesson's variants file.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field

from nbformat import NotebookNode

from ..engine.notebooks import cells_by_id, grade_id, is_answer_cell, strip_markers

# A notebook file cut off in the middle, as an interrupted upload leaves it.
CUT_OFF = b'{\n "cells": [\n  {\n   "cell_type": "code",\n   "source": ["import tens'
FIXED = {
    "perfect": "the instructor's solution, typed into the release notebook",
    "blank": "the release notebook, handed in untouched",
    "raises_everywhere": "every answer cell raises an error",
    "corrupt_upload": "a notebook file cut off in the middle of the upload",
}


class UnknownStudent(ValueError):
    """A fixed student that no lesson has."""


def perfect_submission(source_nb: NotebookNode, release_nb: NotebookNode) -> NotebookNode:
    """The release notebook with every answer cell filled in with the instructor's solution."""
    solutions = {
        grade_id(cell): strip_markers(cell.source)
        for cell in source_nb.cells
        if is_answer_cell(cell)
    }
    filled = copy.deepcopy(release_nb)
    missing = set(solutions)
    for cell in filled.cells:
        gid = grade_id(cell)
        if is_answer_cell(cell) and gid in solutions:
            cell.source = solutions[gid]
            missing.discard(gid)
    if missing:
        raise ValueError(f"answer cells missing from the release notebook: {sorted(missing)}")
    return filled


def fixed_student(name: str, source: NotebookNode, release: NotebookNode
                  ) -> NotebookNode | bytes:
    """One of the students every assignment has (`FIXED`), made from its source and release."""
    if name == "blank":
        return release
    if name == "corrupt_upload":
        return CUT_OFF
    perfect = perfect_submission(source, release)
    if name == "raises_everywhere":
        for cell in perfect.cells:
            if is_answer_cell(cell):
                cell.source = 'raise RuntimeError("not done yet")'
    elif name != "perfect":
        raise UnknownStudent(f"no fixed student {name!r} (fixed: {', '.join(FIXED)})")
    return perfect


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
    # A part of the message the failing check shows for this mistake ("" where none is
    # promised): the hint that names it.
    hint: str = ""
    # (test grade id, layer name): the review must report that a probe of that check ran the
    # framework layer the task forbids (a disguised use of it: see testing.variants.disguised).
    ran: tuple[tuple[str, str], ...] = ()
    # Further changes made after the patches (generated variants: see testing.integrity).
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
