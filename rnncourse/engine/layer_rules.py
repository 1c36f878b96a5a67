"""Which framework layers each check of a lesson forbids, and the review flags for those that ran.

A lesson's source notebook names, by answer cell, the framework layers a task asks students to
write themselves (`rnncourse.write_yourself`, `{answer grade id: [names]}`). The text scan
(`review_flags.scan`) looks for those names in the task's answer cell. While grading,
`LayerWatch` gives the judge, for every test cell, the names its task forbids (`check_rules`),
the student's kernel the names to watch (`layer_watch.py`), and keeps the flags for each
forbidden layer a probe ran.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from nbformat import NotebookNode

from .notebooks import NotebookError, read_notebook


def source_notebook(config, resources: dict) -> NotebookNode | None:
    """The source notebook of the notebook being graded (None when it cannot be read)."""
    from nbgrader.coursedir import CourseDirectory

    info = resources.get("nbgrader", {}) if resources else {}
    if not info.get("assignment") or not info.get("notebook"):
        return None
    coursedir = CourseDirectory(config=config)
    folder = Path(coursedir.format_path(coursedir.source_directory, ".", info["assignment"]))
    try:
        return read_notebook(folder / f"{info['notebook']}.ipynb")
    except NotebookError:
        return None


def lesson_rules(source: NotebookNode | None) -> dict[str, list[str]]:
    """`rnncourse.write_yourself` of a source notebook, `{answer grade id: [layer names]}`."""
    rules = (source.metadata.get("rnncourse", {}).get("write_yourself", {})
             if source is not None else {})
    return {str(k): [str(n) for n in v] for k, v in rules.items() if isinstance(v, list)}


def check_rules(source: NotebookNode | None) -> dict[str, list[str]]:
    """`{test grade id: [layer names]}`: the write_yourself names of the tasks each test cell
    checks. A test cell checks the answer cells since the previous group of test cells (lesson
    01: `rnn_layer` by test_rnn_layer_shapes and test_rnn_layer_recurrence; lesson 02:
    `rnn_layer` and `copy_weights` by both of the tests that follow them)."""
    rules = lesson_rules(source)
    checks: dict[str, list[str]] = {}
    tasks: list[str] = []
    tested = False
    for cell in source.cells if source is not None else []:
        info = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type != "code" or not info.get("grade_id"):
            continue
        if info.get("solution"):
            tasks = [] if tested else tasks
            tasks.append(info["grade_id"])
            tested = False
        elif info.get("grade"):
            names = [n for task in tasks for n in rules.get(task, [])]
            checks[info["grade_id"]] = list(dict.fromkeys(names))
            tested = True
    return {check: names for check, names in checks.items() if names}


@dataclass
class LayerWatch:
    """The layer watch's rules for one graded notebook, and what it found."""

    checks: dict[str, list[str]]  # test grade id -> the layers its task forbids
    costs_points: bool  # does running one fail the check?
    flags: list[dict] = field(default_factory=list)

    @classmethod
    def of(cls, source: NotebookNode | None, resources: dict, costs: list[str]) -> LayerWatch:
        """The rules of `source`; `costs`: the assignments (or "*") where use costs points."""
        assignment = (resources or {}).get("nbgrader", {}).get("assignment")
        return cls(check_rules(source), "*" in costs or assignment in costs)

    @property
    def watched(self) -> str:
        """Every forbidden name, comma separated, for the kernel (channel.WATCH_ENV)."""
        return ",".join(sorted({name for names in self.checks.values() for name in names}))

    def found(self, check: str, layers: list[dict]) -> None:
        """Flag, once for test cell `check`, the forbidden layers its probes ran (a verdict's
        `layers`): the first probe that ran one, what ran, and the names they count as."""
        if not layers:
            return
        ran = list(dict.fromkeys(used["ran"] for used in layers))
        probes = list(dict.fromkeys(used["probe"] for used in layers))
        names = list(dict.fromkeys(used["counts_as"] for used in layers))
        others = f" (so did {_listed(['probe ' + p for p in probes[1:]])})" if probes[1:] else ""
        cost = " The check failed for it." if self.costs_points else ""
        self.flags.append({
            "cell": check, "line": None, "code": "",
            "what": f"probe {probes[0]} of check {check} ran {_listed(ran)}{others}, which "
                    f"this task asks students to write themselves: {', '.join(names)}.{cost}"})


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
