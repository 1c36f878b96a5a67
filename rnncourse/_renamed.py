"""Modules and classes under the names they had before the package took its three folders.

Course folders made before keep working for one release: their `nbgrader_config.py` names
`rnncourse.guarded_execute.GuardedExecute`, `rnncourse.nbgrader_steps.StderrIsOutput` or the
LMS plugins by their old paths. Importing an old name gives the new module (or class) and a
`FutureWarning` that says what to write instead.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import types
import warnings

# old module -> new module
MODULES = {
    "rnncourse.guarded_execute": "rnncourse.engine.judged_execute",
    "rnncourse.kernel_guard": "rnncourse.engine.student_kernel",
    "rnncourse.kernel_protocol": "rnncourse.engine.channel",
    "rnncourse.nbgrader_steps": "rnncourse.engine.preprocessors",
    "rnncourse.cell_rules": "rnncourse.engine.probe_lint",
    "rnncourse.review": "rnncourse.engine.review_flags",
    "rnncourse.sandbox": "rnncourse.engine.sandbox",
    "rnncourse.judge": "rnncourse.engine.judge",
    "rnncourse.judge_client": "rnncourse.engine.judge_client",
    "rnncourse.plain_data": "rnncourse.engine.plain_data",
    "rnncourse.grading.lms_archive": "rnncourse.grading.lms.archive",
    "rnncourse.grading.lms_names": "rnncourse.grading.lms.names",
    "rnncourse.grading.lms_roster": "rnncourse.grading.lms.roster",
    "rnncourse.grading.lms_export": "rnncourse.grading.lms.export",
}
# (old module, old name) -> new name in the new module
NAMES = {
    ("rnncourse.guarded_execute", "GuardedExecute"): "JudgedExecute",
    ("rnncourse.kernel_guard", "GuardedKernel"): "StudentKernel",
}


def _warn(old: str, new: str) -> None:
    warnings.warn(f"{old} is now {new}; the old name goes in the next release: write the new "
                  "one (in nbgrader_config.py too)", FutureWarning, stacklevel=3)


class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path=None, target=None):
        return importlib.util.spec_from_loader(name, self) if name in MODULES else None

    def create_module(self, spec):
        old, new = spec.name, MODULES[spec.name]
        _warn(old, new)
        target = importlib.import_module(new)
        alias = types.ModuleType(old, target.__doc__)

        def __getattr__(attribute: str):
            renamed = NAMES.get((old, attribute))
            if renamed is not None:
                _warn(f"{old}.{attribute}", f"{new}.{renamed}")
                return getattr(target, renamed)
            return getattr(target, attribute)

        alias.__getattr__ = __getattr__
        return alias

    def exec_module(self, module) -> None:
        pass


def install() -> None:
    if not any(isinstance(finder, _Finder) for finder in sys.meta_path):
        sys.meta_path.append(_Finder())
