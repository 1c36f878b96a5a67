"""How the generated cheats score against the course's grading at another revision.

    python -m benchmarks.cheats_against_revision REV [ASSIGNMENT ...]

The suite proves that every generated cheat (testing.integrity) scores exactly what the buggy
mutant under it scores when graded now. That proves something only if the cheats would have
bitten a weaker grader. This grades, in a git worktree of revision REV (its own lessons, its own
grading code, e.g. the revision before the judge), each lesson's cheat target mutant and every
cheat laid over it, built by today's generators from that revision's notebooks and variants,
and prints each one's score beside the mutant's: a cheat that scores more beat that revision's
grading.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from grading_overhead import worktree

from testing import known_class
from testing.integrity import cheat_target
from testing.plain_grader import PlainCourse


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("revision")
    parser.add_argument("assignments", nargs="*", default=["01_simple_rnn", "04_torch_basic_rnn"])
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cheats-against-") as tmp:
        with worktree(args.revision, Path(tmp) / "tree") as old:
            os.environ["PYTHONPATH"] = str(old)
            print(f"| lesson | student | score at {args.revision} | mutant's score |")
            print("|---|---|---:|---:|")
            for name in args.assignments:
                lesson = known_class.load(name, old, old / "tests" / "variants")
                target = cheat_target(lesson.mutants, set(lesson.points))
                students = [f"mutant_{target.name}", *(f"cheat_{c.name}" for c in lesson.cheats)]
                course = PlainCourse.scratch(Path(tmp) / name, [name], old)
                for student, nb in lesson.students(course.generate(name), students).items():
                    course.submit(name, student, nb)
                problems = course.autograde(name)
                scores = course.scores(name)
                honest = sum(c.score for c in scores[students[0]].values())
                for student in students:
                    got = scores.get(student)
                    shown = ("not graded" if got is None
                             else f"{sum(c.score for c in got.values()):g}")
                    print(f"| {name} | {student} | {shown} | {honest:g} |", flush=True)
                for student, problem in problems.items():
                    print(f"{name} {student}: {problem}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
