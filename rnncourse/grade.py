"""Grade a class in one command: every submission of some assignments, in parallel, into the course.

    python -m rnncourse.grade ASSIGNMENT [ASSIGNMENT ...] [--workers N]
        [--scheduler tcp://HOST:8786] [--db URL] [--force] [--course DIR]

Run in a course folder after `nbgrader zip_collect` or `nbgrader collect`. Every submission in
submitted/<student>/<assignment>/ is graded in a scratch course of its own
(rnncourse.grading.submission), in the grading sandbox, N at a time on this machine (default: one
per core) or on a Dask cluster (`--scheduler`). This process alone writes the course: the
gradebook rows (SQLite, or `--db postgresql://...`), autograded/ and feedback/, as
`nbgrader autograde` and `nbgrader generate_feedback` would. Then grades.csv (`nbgrader export`),
a table per assignment of every check with the share of the class that passed it, and a PNG
with the grade histogram.

Resumable: a submission already graded, unchanged since, is not graded again (unless --force);
after an interruption the same command finishes the rest. A submission that cannot be graded
is reported (student, file, reason) and the others go on. Exit status: 0 when every submission
was graded, 1 when some could not be, 2 when nothing could run (no sandbox, no database, no
scheduler), 130 when interrupted.

The parts are in rnncourse.grading; this module is the command line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .grading.gradebook import shown
from .grading.problems import Stop
from .grading.report import report
from .grading.run import Run, grade, require_sandbox
from .grading.session import REPORTS, STATE, Grader, course_config

__all__ = ["REPORTS", "STATE", "Grader", "Run", "Stop", "grade", "main", "report"]


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m rnncourse.grade", description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="+", metavar="ASSIGNMENT")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, default=None,
                       help="submissions graded at once on this machine (default: one per core)")
    where.add_argument("--scheduler", metavar="tcp://HOST:8786",
                       help="grade on the workers of this Dask scheduler instead")
    parser.add_argument("--db", metavar="URL", help="gradebook URL (default: "
                        "c.CourseDirectory.db_url, else sqlite gradebook.db in the course)")
    parser.add_argument("--force", action="store_true",
                        help="grade every submission again, graded or not")
    parser.add_argument("--course", type=Path, default=Path.cwd(),
                        help="the course folder (default: the current folder)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.workers is not None and args.workers < 1:
        parser().error("--workers must be at least 1")
    try:
        if args.scheduler is None:  # before the course folder is touched
            require_sandbox(course_config(args.course))
        with Grader.open(args.course, args.db) as grader:
            run = grade(grader, args.assignments, workers=args.workers,
                        scheduler=args.scheduler, force=args.force,
                        progress=not args.no_progress)
            paths = report(grader, args.assignments)
    except Stop as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted: what was graded is recorded; run the same command again to "
              "grade the rest", file=sys.stderr)
        return 130
    print(summary(grader, run, paths))
    return 1 if run.problems else 0


def summary(grader: Grader, run: Run, paths: dict[str, Path]) -> str:
    """The closing lines: what was graded, what was not and why, and where everything is."""
    lines = [f"\nGraded {len(run.graded)} submissions in {run.seconds:.0f} s; "
             f"{run.up_to_date} already graded and unchanged; {len(run.problems)} not graded."]
    lines += [f"  {problem.line()}" for problem in run.problems]
    lines += [f"Gradebook:     {shown(grader.db)}",
              f"Autograded:    {grader.root / 'autograded'}/<student>/<assignment>/",
              f"Feedback HTML: {grader.root / 'feedback'}/<student>/<assignment>/"
              "<assignment>.html"]
    lines += [f"{what + ':':<14} {path}" for what, path in paths.items()]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
