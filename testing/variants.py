"""Known submissions built as small patches over the perfect student.

Each assignment has a variants file `<assignment>.py` (the course's are in tests/variants/)
that defines:

* ``MUTANTS`` -- realistic buggy submissions, each with the exact set of grade ids it must fail
  and, where a check promises a hint that names the mistake, a part of that hint's text;
* ``ALTERNATIVES`` -- correct submissions written differently, which must get full marks;
* ``DISGUISED`` (optional) -- submissions that compute a task with the very framework layer the
  task forbids (its ``write_yourself`` names), spelled so that the review's text scan cannot
  read the name: the layer watch must flag, for each test cell given, a probe that ran it;
* ``DEMO`` -- which known students (testing.known_class) `make demo` shows in its rows
  `typical_bug_1`, `typical_bug_2` and `different_but_right` (saved for the demo by
  rnncourse.demo_class).

The pipeline tests grade every mutant and alternative with nbgrader, in the class that
testing.known_class builds.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from rnncourse.course.submissions import Patch, Variant


def mutant(name: str, why: str, fails: set[str], *patches: Patch, hint: str = "") -> Variant:
    """A buggy submission failing exactly `fails`; `hint`: a part of the message it must get."""
    if not fails:
        raise ValueError(f"mutant {name} must list the grade ids it fails")
    return Variant(name=name, patches=patches, fails=frozenset(fails), why=why, hint=hint)


def alternative(name: str, why: str, *patches: Patch) -> Variant:
    return Variant(name=name, patches=patches, why=why)


def disguised(name: str, why: str, ran: dict[str, str], *patches: Patch) -> Variant:
    """A submission that runs a forbidden framework layer under a name no scan reads; `ran`:
    {test grade id: the write_yourself name a probe of it must be reported to have run}."""
    if not ran:
        raise ValueError(f"disguised submission {name} must list the checks that see it")
    return Variant(name=name, patches=patches, why=why, ran=tuple(sorted(ran.items())))


def load_variants(path: Path | str) -> tuple[list[Variant], list[Variant]]:
    """Load ``(MUTANTS, ALTERNATIVES)`` from a variants file."""
    module = _load(path)
    return list(module.MUTANTS), list(module.ALTERNATIVES)


def load_disguised(path: Path | str) -> list[Variant]:
    """``DISGUISED`` of a variants file ([] without one)."""
    return list(getattr(_load(path), "DISGUISED", []))


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
