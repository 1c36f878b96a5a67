"""What the guarded kernel and the sandbox cost per graded submission, lesson by lesson.

    python benchmarks/grading_overhead.py [--rounds 2] [ASSIGNMENT ...]

Grades the same small class (the perfect student and a blank one) of each lesson in three
scratch courses, one per way of running a submission, taking turns within each round so that
a busy machine slows all three alike:

* `stock`: nbgrader's own Execute step (what the course used before the guarded kernel);
* `guarded`: the guarded kernel, sandbox switched off (`run_student_code_unsandboxed`);
* `sandboxed`: the guarded kernel in the bubblewrap sandbox (the course's default).

Prints seconds per submission (the median over rounds of one `nbgrader autograde` run divided by
the class size, so nbgrader's own start-up is included) and the cost of each step relative to
the one before.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from rnncourse import known_class
from rnncourse.course import Course, require_assignments

MODES = {
    "stock": (
        "\nc.Autograde.autograde_preprocessors = ["
        "'nbgrader.preprocessors.Execute', 'nbgrader.preprocessors.IgnorePattern', "
        "'nbconvert.preprocessors.ClearMetadataPreprocessor', "
        "'nbgrader.preprocessors.LimitOutput', 'nbgrader.preprocessors.SaveAutoGrades', "
        "'nbgrader.preprocessors.AssignLatePenalties', "
        "'nbgrader.preprocessors.CheckCellMetadata']\n"
    ),
    "guarded": "\nc.GradingSandbox.run_student_code_unsandboxed = True\n",
    "sandboxed": "",
}


def prepare(root: Path, mode: str, names: list[str]) -> Course:
    course = Course.scratch(root / mode, names)
    with open(course.path / "nbgrader_config.py", "a") as config:
        config.write(MODES[mode])
    for name in names:
        students = known_class.load(name).students(course.generate(name), ["perfect", "blank"])
        for student, nb in students.items():
            course.submit(name, student, nb)
    return course


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    names = require_assignments(args.assignments)
    seconds: dict[tuple[str, str], list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="grading-overhead-") as tmp:
        courses = {mode: prepare(Path(tmp), mode, names) for mode in MODES}
        for round_ in range(args.rounds):
            for name in names:
                for mode, course in courses.items():
                    started = time.perf_counter()
                    problems = course.autograde(name)
                    elapsed = time.perf_counter() - started
                    scores = course.scores(name)
                    got = sum(c.score for c in scores["perfect"].values())
                    full = sum(c.max_score for c in scores["perfect"].values())
                    if problems or got != full:
                        print(f"{mode} {name}: perfect got {got}/{full}, problems {problems}",
                              file=sys.stderr)
                        return 1
                    seconds.setdefault((name, mode), []).append(elapsed / 2)
                    print(f"round {round_ + 1} {name} {mode}: {elapsed / 2:.1f} s per submission",
                          flush=True)
    print("\n| lesson | stock s | guarded s | sandboxed s | guard cost | sandbox cost |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in names:
        stock, guarded, boxed = (statistics.median(seconds[(name, m)]) for m in MODES)
        print(f"| {name} | {stock:.1f} | {guarded:.1f} | {boxed:.1f} | "
              f"{100 * (guarded / stock - 1):+.0f}% | {100 * (boxed / guarded - 1):+.0f}% |")
    totals = {m: sum(statistics.median(seconds[(n, m)]) for n in names) for m in MODES}
    print(f"| all | {totals['stock']:.1f} | {totals['guarded']:.1f} | "
          f"{totals['sandboxed']:.1f} | {100 * (totals['guarded'] / totals['stock'] - 1):+.0f}% "
          f"| {100 * (totals['sandboxed'] / totals['guarded'] - 1):+.0f}% |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
