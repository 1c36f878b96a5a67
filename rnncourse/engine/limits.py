"""The limits every graded notebook runs under: one settings class, whose help is the manual.

Each limit is a setting of `GradingLimits` in the course's `nbgrader_config.py`, e.g.
`c.GradingLimits.memory_limit = 8 * 2**30`. Its help string says what happens at the limit;
`python -m rnncourse.engine.limits` prints the table docs/instructors.md shows (a test keeps the
two equal). The sandbox enforces the first three from outside the kernel (rnncourse.engine.sandbox),
the execute step the others (rnncourse.engine.judged_execute).

The limits were settings of `GradingSandbox` before: `c.GradingSandbox.memory_limit` and the
like still work for one release, with a warning that says what to write instead.
"""

from __future__ import annotations

import warnings

from traitlets import Float, Integer
from traitlets.config import LoggingConfigurable

from .protocol import ANSWER_LIMIT


class GradingLimits(LoggingConfigurable):
    """What one graded notebook may use; every limit that trips says so in the feedback."""

    memory_limit = Integer(
        4 * 2**30, help="Bytes of memory (data segment) the student's kernel may allocate; "
        "past it, allocations fail (`MemoryError`) inside the student's cell.",
    ).tag(config=True)
    max_processes = Integer(
        256, help="Processes and threads the kernel may run at once (graded as root: its own; "
        "otherwise counted with the grading user's other processes); past it, new processes "
        "and threads fail to start.",
    ).tag(config=True)
    max_file_bytes = Integer(
        256 * 2**20, help="Largest file the kernel may write; a larger file cannot be written.",
    ).tag(config=True)
    max_output_bytes = Integer(
        1_000_000, help="Bytes of output (text and data) kept per cell, so that one cell cannot "
        "flood the graded notebook and the feedback; the cell's further output is dropped, "
        "with a note.",
    ).tag(config=True)
    max_answer_bytes = Integer(
        ANSWER_LIMIT, help="Bytes of plain data a probe may hand back to the judge; a larger "
        "answer fails the check, with a message.",
    ).tag(config=True)
    notebook_time_limit = Float(
        900.0, help="Seconds the whole notebook may run (Execute.timeout still limits each "
        "cell); later cells are not run, and their checks score 0.",
    ).tag(config=True)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        old = self.config.get("GradingSandbox", {})
        new = self.config.get("GradingLimits", {})
        for name in self.trait_names(config=True):
            if name in old and name not in new:
                warnings.warn(
                    f"c.GradingSandbox.{name} is now c.GradingLimits.{name}; the old name "
                    "goes in the next release: write the new one in nbgrader_config.py",
                    FutureWarning, stacklevel=2)
                setattr(self, name, old[name])


def shown(name: str, value: float) -> str:
    """A limit's value as the manual writes it (4 GiB, 900 s, 1,000,000)."""
    if name.endswith("time_limit"):
        return f"{value:g} s"
    if name.endswith(("_bytes", "memory_limit")):
        for unit, size in (("GiB", 2**30), ("MiB", 2**20)):
            if value % size == 0:
                return f"{value // size} {unit}"
    return f"{value:,}"


def manual() -> str:
    """The table of the limits, their defaults and their help, in Markdown."""
    rows = ["| setting (`c.GradingLimits....`) | default | what it limits, and what happens at "
            "the limit |", "|---|---|---|"]
    for name, trait in GradingLimits.class_traits(config=True).items():
        rows.append(f"| `{name}` | {shown(name, trait.default_value)} | {trait.help} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(manual())
