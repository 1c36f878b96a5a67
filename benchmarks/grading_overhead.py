"""What a way of grading costs per submission, lesson by lesson, against an earlier revision.

    python -m benchmarks.grading_overhead [--rounds 2] [--baseline REV] [--stock] [ASSIGNMENT ...]

Grades the same small class of each lesson (the perfect student, a blank one and the two
mutants the lesson's demo shows) in scratch courses, one per way of grading, taking turns within
each round so that a busy machine slows all of them alike:

* `judge`: this working tree, as the course grades now (the checks in the judge, the
  student's code in the sandboxed kernel);
* `baseline` (with `--baseline REV`): the course at git revision REV, its own lessons and its
  own grading code (a git worktree, imported first), e.g. the revision before the judge;
* `stock` (with `--stock`): this tree's lessons with nbgrader's own Execute step, everything
  in the student's kernel and no sandbox (what plain nbgrader does).

Prints seconds per submission (the median over rounds of one `nbgrader autograde` run divided by
the class size, so nbgrader's start-up and the judge's are included) and each way's cost
relative to the baseline (or to stock).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rnncourse.engine.course_folder import require_assignments
from testing import REPO, known_class
from testing.plain_grader import PlainCourse

STOCK = (
    "\nc.Autograde.autograde_preprocessors = ["
    "'nbgrader.preprocessors.Execute', 'nbgrader.preprocessors.IgnorePattern', "
    "'nbconvert.preprocessors.ClearMetadataPreprocessor', "
    "'nbgrader.preprocessors.LimitOutput', 'nbgrader.preprocessors.SaveAutoGrades', "
    "'nbgrader.preprocessors.AssignLatePenalties', "
    "'nbgrader.preprocessors.CheckCellMetadata']\n"
)


@contextlib.contextmanager
def worktree(revision: str, folder: Path):
    """A checkout of `revision` in `folder`, removed afterwards."""
    subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "--quiet",
                    str(folder), revision], check=True)
    try:
        yield folder
    finally:
        subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(folder)],
                       check=False)


def prepare(root: Path, mode: str, names: list[str], lessons: Path, extra: str = "") -> PlainCourse:
    course = PlainCourse.scratch(root / mode, names, lessons)
    if extra:
        with open(course.path / "nbgrader_config.py", "a") as config:
            config.write(extra)
    for name in names:
        lesson = known_class.load(name, lessons, lessons / "tests" / "variants")
        demo = lesson.demo(["typical_bug_1", "typical_bug_2", "different_but_right"])
        bugs = [demo["typical_bug_1"], demo["typical_bug_2"]]
        students = lesson.students(course.generate(name), ["perfect", "blank", *bugs])
        for student, nb in students.items():
            course.submit(name, student, nb)
    return course


def grade(course: PlainCourse, name: str, code: Path | None) -> float:
    """Seconds per submission of one `nbgrader autograde` run of the class of `name`."""
    saved = os.environ.get("PYTHONPATH")
    if code is not None:
        os.environ["PYTHONPATH"] = str(code)
    try:
        started = time.perf_counter()
        problems = course.autograde(name)
        elapsed = time.perf_counter() - started
    finally:
        if code is not None:
            if saved is None:
                os.environ.pop("PYTHONPATH", None)
            else:
                os.environ["PYTHONPATH"] = saved
    scores = course.scores(name)
    got = sum(c.score for c in scores["perfect"].values())
    full = sum(c.max_score for c in scores["perfect"].values())
    if problems or got != full:
        raise RuntimeError(f"{course.path.name} {name}: perfect got {got}/{full}, "
                           f"problems {problems}")
    return elapsed / len(scores)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--baseline", metavar="REV", help="also grade the course at this revision")
    parser.add_argument("--stock", action="store_true", help="also grade with nbgrader's Execute")
    args = parser.parse_args(argv)
    names = require_assignments(args.assignments, REPO)
    seconds: dict[tuple[str, str], list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="grading-overhead-") as tmp, \
            contextlib.ExitStack() as stack:
        ways: dict[str, tuple[PlainCourse, Path | None]] = {}
        if args.baseline:
            old = stack.enter_context(worktree(args.baseline, Path(tmp) / "baseline-tree"))
            ways["baseline"] = (prepare(Path(tmp), "baseline", names, old), old)
        if args.stock:
            ways["stock"] = (prepare(Path(tmp), "stock", names, REPO, STOCK), None)
        ways["judge"] = (prepare(Path(tmp), "judge", names, REPO), None)
        for round_ in range(args.rounds):
            for name in names:
                for mode, (course, code) in ways.items():
                    try:
                        each = grade(course, name, code)
                    except RuntimeError as err:
                        print(err, file=sys.stderr)
                        return 1
                    seconds.setdefault((name, mode), []).append(each)
                    print(f"round {round_ + 1} {name} {mode}: {each:.1f} s per submission",
                          flush=True)
    modes = list(ways)
    reference = modes[0]
    print("\n| lesson | " + " | ".join(f"{m} s" for m in modes)
          + "".join(f" | {m} vs {reference}" for m in modes[1:]) + " |")
    print("|---|" + "---:|" * (2 * len(modes) - 1))
    totals = {m: 0.0 for m in modes}
    for name in names:
        row = {m: statistics.median(seconds[(name, m)]) for m in modes}
        for m in modes:
            totals[m] += row[m]
        print(f"| {name} | " + " | ".join(f"{row[m]:.1f}" for m in modes)
              + "".join(f" | {100 * (row[m] / row[reference] - 1):+.0f}%" for m in modes[1:])
              + " |")
    print("| all | " + " | ".join(f"{totals[m]:.1f}" for m in modes)
          + "".join(f" | {100 * (totals[m] / totals[reference] - 1):+.0f}%" for m in modes[1:])
          + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
