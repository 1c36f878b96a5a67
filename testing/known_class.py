"""The class of known submissions of an assignment, each student named by what it is.

Made from the assignment's source notebook, the release notebook nbgrader generated and the
assignment's variants file `<variants>/<assignment>.py` (see testing.variants; the course's
are in tests/variants/, which the caller names: nothing here reads tests/ by itself):

* `perfect` -- the instructor's solution typed into the release notebook;
* `blank` -- the release notebook handed in untouched;
* `raises_everywhere` -- every answer cell raises;
* `corrupt_upload` -- a notebook file cut off in the middle (`CUT_OFF`);
* `mutant_<name>` -- each mutant of the variants file;
* `alt_<name>` -- each correct alternative: the variants file's, then the generated fair ones
  (testing.integrity);
* `cheat_<name>` -- each generated cheat (testing.integrity);
* `disguised_<name>` -- each disguised use of a forbidden framework layer of the variants file.

The pipeline tests grade the whole class; the grading command's tests and the grading
benchmark pick students from it by name; the demo takes the fixed students from here and its
chosen ones from the snapshot rnncourse.demo_class keeps.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from nbformat import NotebookNode

from rnncourse.course.submissions import FIXED, fixed_student, perfect_submission
from rnncourse.engine.course_folder import notebook_path
from rnncourse.engine.notebooks import points, read_notebook

from . import integrity
from .variants import Variant, demo_problem, load_demo, load_disguised, load_variants


class KnownClassError(Exception):
    """A known student that an assignment's class does not have, or no demo choice."""


@dataclass
class KnownClass:
    """The known students of one assignment, and the variants they are made from."""

    assignment: str
    source: NotebookNode
    variants_file: Path
    mutants: list[Variant]
    alternatives: list[Variant]
    # generated from the source and the mutants (testing.integrity): every lesson gets them
    fair: list[Variant]
    cheats: list[Variant]
    # the variants file's disguised uses of a forbidden framework layer
    disguised: list[Variant] = field(default_factory=list)

    @property
    def points(self) -> dict[str, float]:
        return points(self.source)

    @property
    def variants(self) -> dict[str, Variant]:
        """The students made by patching the perfect one, by name."""
        named = {f"mutant_{v.name}": v for v in self.mutants}
        named.update({f"alt_{v.name}": v for v in self.alternatives + self.fair})
        named.update({f"cheat_{v.name}": v for v in self.cheats})
        named.update({f"disguised_{v.name}": v for v in self.disguised})
        return named

    @property
    def why(self) -> dict[str, str]:
        """Every student of the class, in order, with a line on what it is."""
        return {**FIXED, **{name: v.why for name, v in self.variants.items()}}

    def require(self, names: Iterable[str]) -> list[str]:
        """`names`, if the class has every one of them."""
        names, known = list(names), self.why
        unknown = [n for n in names if n not in known]
        if unknown:
            raise KnownClassError(
                f"{self.assignment} has no known student {', '.join(map(repr, unknown))} "
                f"(mutants and alternatives come from {self.variants_file}; known: "
                f"{', '.join(known)})")
        return names

    def students(self, release: NotebookNode,
                 names: Iterable[str] | None = None) -> dict[str, NotebookNode | bytes]:
        """`{student: notebook, or raw bytes}` for `names` (default: the whole class)."""
        names = self.require(self.why if names is None else names)
        variants = self.variants
        perfect = perfect_submission(self.source, release)
        return {name: variants[name].apply(perfect) if name in variants
                else fixed_student(name, self.source, release) for name in names}

    def demo(self, rows: Iterable[str]) -> dict[str, str]:
        """`{row: known student}`: whom the variants file's ``DEMO`` puts in the demo's `rows`."""
        rows = list(rows)
        chosen = load_demo(self.variants_file)
        problem = demo_problem(self.variants_file, chosen, rows)
        if problem:
            raise KnownClassError(problem)
        self.require(chosen.values())
        return {row: chosen[row] for row in rows}


def load(assignment: str, root: Path, variants: Path) -> KnownClass:
    """The known class of `assignment`, from its source notebook in the course folder `root`
    and its variants file in the folder `variants` (the course's: tests/variants)."""
    source = read_notebook(notebook_path("source", assignment, root))
    path = Path(variants) / f"{assignment}.py"
    mutants, alternatives = load_variants(path)
    fair = integrity.alternatives(source)
    cheats = integrity.cheats(source, mutants, set(points(source)))
    taken = {v.name for v in fair} & {v.name for v in alternatives}
    if taken:
        raise KnownClassError(
            f"{path}: the alternatives {', '.join(sorted(taken))} have the names of generated "
            "ones (testing.integrity), so one would hide the other: rename them")
    return KnownClass(assignment, source, path, mutants, alternatives, fair, cheats,
                      load_disguised(path))
