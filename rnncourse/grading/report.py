"""What the class did: grades.csv (`nbgrader export`), and per assignment the table of every
check with the share of the class that passed it (the most failed first), the submissions
flagged for review, and a PNG with the grade histogram and the pass rates."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..engine import review_flags
from .gradebook import has_assignment, scores
from .session import REPORTS, Grader


@dataclass(frozen=True)
class Check:
    """One graded cell of an assignment and how the class did on it."""

    name: str
    points: float
    what: str
    passed: int
    graded: int

    @property
    def share(self) -> float:
        return self.passed / self.graded if self.graded else 0.0


def report(grader: Grader, names: list[str], say: Callable[[str], None] = print
           ) -> dict[str, Path]:
    """grades.csv, then per graded assignment the table (printed and saved) and the PNG;
    returns the paths written, by what they hold."""
    csv = grader.root / "grades.csv"
    export(grader, csv)
    paths = {"Grades (CSV)": csv}
    for name in names:
        if not has_assignment(grader.gb, name):
            continue
        checks, totals, maximum = class_checks(grader, name)
        if not totals:
            continue
        table = format_checks(name, checks) + flagged_section(grader.root, name)
        say("\n" + table)
        text = grader.root / REPORTS / f"{name}.txt"
        text.parent.mkdir(parents=True, exist_ok=True)
        text.write_text(table + "\n")
        png = grader.root / REPORTS / f"{name}.png"
        plot(name, checks, totals, maximum, png)
        paths[f"Checks of {name}"] = text
        paths[f"Plot of {name}"] = png
    return paths


def export(grader: Grader, path: Path) -> None:
    """`nbgrader export --to PATH`: its exporter (`ExportApp.plugin_class`, CSV unless the
    course configures another), run here on the course gradebook."""
    from nbgrader.apps.exportapp import ExportApp

    app = ExportApp(config=grader.config)
    app.log.setLevel(logging.WARNING)
    app.plugin_inst = app.plugin_class(parent=app)
    app.plugin_inst.to = str(path)
    app.plugin_inst.export(grader.gb)


def class_checks(grader: Grader, assignment: str
                 ) -> tuple[list[Check], dict[str, float], float]:
    """Every check with the share of graded students who passed it (worst first), each
    student's total and the assignment's maximum."""
    graded = {s: c for s, c in scores(grader.gb, assignment).items() if c is not None}
    checks, maximum = [], 0.0
    for nb in grader.gb.find_assignment(assignment).notebooks:
        sources = {c.name: c.source or "" for c in nb.source_cells}
        for cell in nb.grade_cells:
            passed = sum(1 for cells in graded.values()
                         if cell.name in cells and cells[cell.name].passed)
            checks.append(Check(cell.name, cell.max_score, docstring(sources.get(cell.name)),
                                passed, len(graded)))
            maximum += cell.max_score
    order = {c.name: i for i, c in enumerate(checks)}
    checks.sort(key=lambda c: (c.share, order[c.name]))
    totals = {s: sum(c.score for c in cells.values()) for s, cells in graded.items()}
    return checks, totals, maximum


def docstring(source: str | None) -> str:
    """A test cell's first line without its quotes: what the check checks."""
    for line in (source or "").splitlines():
        line = line.strip()
        if line:
            return line.strip("\"'").strip() if line.startswith(("\"", "'")) else line
    return ""


def format_checks(assignment: str, checks: list[Check]) -> str:
    """The table of checks: pass rate, points, grade id and what each checks."""
    graded = checks[0].graded if checks else 0
    lines = [f"{assignment}: checks, the most failed first ({graded} graded submissions)",
             f"  {'passed':>7}  {'points':>6}  {'check':<28} what it checks"]
    for c in checks:
        lines.append(f"  {100 * c.share:6.0f}%  {c.points:6g}  {c.name:<28} {c.what}")
    return "\n".join(lines)


def flagged_section(root: Path, assignment: str) -> str:
    """The report's list of submissions flagged for review (engine.review_flags), or ""."""
    flagged = review_flags.flags_in_course(root, assignment)
    if not flagged:
        return ""
    return (f"\n\n{assignment}: flagged for review, not scored ({len(flagged)} "
            "submissions whose own code reaches into the interpreter or the "
            "grader, or uses the layer a task asks students to write):\n"
            + review_flags.format_flags(flagged))


def plot(assignment: str, checks: list[Check], totals: dict[str, float], maximum: float,
         path: Path) -> None:
    """The grade histogram and each check's pass rate, in one PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    fig, (hist, bars) = plt.subplots(
        1, 2, figsize=(12, max(3.5, 0.45 * len(checks) + 1.5)),
        gridspec_kw={"width_ratios": [1, 1.4]})
    bins = [x - 0.5 for x in range(int(maximum) + 2)] if maximum <= 40 else 20
    hist.hist(list(totals.values()), bins=bins, color="#4c72b0", edgecolor="white")
    hist.set_xlabel(f"grade (out of {maximum:g})")
    hist.set_ylabel("students")
    hist.yaxis.set_major_locator(MaxNLocator(integer=True))
    hist.set_title(f"{assignment}: grades of {len(totals)} students")
    names = [f"{c.name} ({c.points:g} pt)" for c in checks]
    shares = [100 * c.share for c in checks]
    bars.barh(names, shares, color=["#c44e52" if s < 50 else "#55a868" for s in shares])
    bars.invert_yaxis()
    bars.set_xlim(0, 100)
    bars.set_xlabel("students who passed (%)")
    bars.set_title("checks, the most failed first")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
