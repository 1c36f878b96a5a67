"""What the engine knows of each framework a lesson may use, in one place.

* which packages the student's kernel and the judge load before a notebook's first cell (the
  heavy ones every check uses), when the notebook's course cells import them, and in which
  order: PyTorch and its compiler Triton before TensorFlow, since a process that loads Triton
  (PyPI's CUDA builds of PyTorch 2.12 and later) after TensorFlow aborts with an LLVM error
  (the lessons' shared block `torch_before_tensorflow` says the same to students). The judge
  outlives its notebook, so the same order decides whether it may serve the next one
  (`can_follow`), or a fresh judge must;
* how the judge resets a framework between two notebooks (Keras keeps a global session);
* which packages' tensors plain data turns into arrays. The lessons' copy of `plain` (the
  `#@save plain` block of plain_data.py, copied into every notebook) must stand alone, so it
  spells these out itself; tests/test_judge.py checks that it says the same.

Standard library only.
"""

from __future__ import annotations

import contextlib
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Framework:
    name: str
    packages: tuple[str, ...]        # its top-level packages
    preload: bool = True             # loaded before the first cell when the course imports it
    after: tuple[str, ...] = ()      # packages that, if loaded at all, must come before it
    reset: str | None = None         # "package.attr.function" called between two notebooks
    tensors_as_arrays: bool = False  # plain data turns its tensors into NumPy arrays


FRAMEWORKS = (
    Framework("numpy", ("numpy",)),
    Framework("pytorch", ("torch", "triton")),
    Framework("tensorflow", ("tensorflow", "keras", "tf_keras"), after=("torch", "triton"),
              reset="keras.backend.clear_session", tensors_as_arrays=True),
    Framework("matplotlib", ("matplotlib",)),
)
PRELOAD = frozenset(p for f in FRAMEWORKS if f.preload for p in f.packages)
LOAD_FIRST = frozenset(p for f in FRAMEWORKS for p in f.after)
TENSORS_AS_ARRAYS = tuple(p for f in FRAMEWORKS if f.tensors_as_arrays for p in f.packages)


def _top(names) -> set[str]:
    return {name.partition(".")[0] for name in names}


def preloaded(imports: list[str]) -> list[str]:
    """The course cells' imports that are loaded before the first cell runs, in the order they
    may be loaded in: those another framework must come `after`, then the others, each in the
    cells' order."""
    chosen = [name for name in imports if name.partition(".")[0] in PRELOAD]
    return sorted(chosen, key=lambda name: name.partition(".")[0] not in LOAD_FIRST)


def can_follow(loaded, wanted) -> bool:
    """Whether a process that has loaded the packages `loaded` may go on to load `wanted`:
    not when a framework it has loaded must come after one of the new ones."""
    loaded, new = _top(loaded), _top(wanted) - _top(loaded)
    return not any(set(f.packages) & loaded and set(f.after) & new for f in FRAMEWORKS)


def loaded_packages() -> list[str]:
    """The frameworks' packages this process has loaded."""
    return sorted(p for f in FRAMEWORKS for p in f.packages if p in sys.modules)


def reset_loaded() -> None:
    """Reset the frameworks this process has loaded, as between two notebooks."""
    for framework in FRAMEWORKS:
        if framework.reset is None:
            continue
        package, *path = framework.reset.split(".")
        target = sys.modules.get(package)
        if target is None:
            continue
        with contextlib.suppress(Exception):
            for attribute in path:
                target = getattr(target, attribute)
            target()
