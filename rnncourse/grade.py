"""Grade a class in one command: every submission of some assignments, in parallel, into the course.

    python -m rnncourse.grade ASSIGNMENT [ASSIGNMENT ...] [--workers N]
        [--scheduler tcp://HOST:8786] [--db URL] [--force] [--course DIR]
        [--from ARCHIVE_OR_FOLDER [--roster FILE] [--groups FILE]]
        [--export canvas|moodle|moodle-gradebook FILE [--lms-assignment "Title (id)"]]

Run in a course folder after `nbgrader zip_collect` or `nbgrader collect`, or with `--from`
the submissions download of one assignment from Canvas or Moodle (its zip, or a folder of
loose .ipynb), which is first put into submitted/<student>/<assignment>/
(rnncourse.grading.lms; `--roster`: the LMS's own export of the class, for names, emails and
the times of the submissions; `--groups`: Canvas's export of the group set, for a group
assignment). Every submission in submitted/ is graded in a scratch course of
its own (rnncourse.grading.submission), in the grading sandbox, N at a time on this machine
(default: one per core) or on a Dask cluster (`--scheduler`). This process alone writes the
course: the gradebook rows (SQLite, or `--db postgresql://...`), autograded/ and feedback/, as
`nbgrader autograde` and `nbgrader generate_feedback` would. Then grades.csv
(`nbgrader export`), a table per assignment of every check with the share of the class that
passed it, and a PNG with the grade histogram.

`--export canvas FILE` writes the gradebook's grades as Canvas's gradebook import, into the
assignment's existing column (`--lms-assignment`, or the roster, names it); `--export moodle
FILE` fills in the assignment's grading worksheet (the roster); `--export moodle-gradebook
FILE` writes Moodle's course-gradebook import instead. Beside FILE, a zip per assignment of
the feedback named for the LMS's bulk upload (rnncourse.grading.lms.export). Without `--from`
it grades nothing.

Whatever ends the command, even SIGKILL, the processes it started end with it
(rnncourse.engine.parent_watch), and the next run removes the scratch folders they left
(rnncourse.engine.scratch).

Resumable: a submission already graded, unchanged since, is not graded again (unless --force);
after an interruption the same command finishes the rest. A submission that cannot be graded
(or a file of the download that cannot be imported) is reported (student, file, reason) and
the others go on. Exit status: 0 when everything was imported, graded and exported, 1 when
something was not (each listed), 2 when nothing could run (no sandbox, no database, no
scheduler, a roster that is none), 130 when interrupted.

The parts are in rnncourse.grading; this module is the command line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .engine.course_folder import add_course_option
from .grading.gradebook import shown
from .grading.lms.canvas import canvas_columns
from .grading.lms.credits import Exported
from .grading.lms.export import export_lms
from .grading.lms.groups import GroupSet, read_group_set
from .grading.lms.importer import Imported, import_class
from .grading.lms.roster import Roster, read_roster
from .grading.problems import Stop
from .grading.report import report
from .grading.run import Run, grade, stop_without_sandbox
from .grading.session import REPORTS, STATE, Grader, course_config

__all__ = ["REPORTS", "STATE", "Grader", "Run", "Stop", "grade", "main", "report"]
LMSES = ("canvas", "moodle", "moodle-gradebook")


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
    add_course_option(parser)
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    lms = parser.add_argument_group("to and from the LMS (docs/instructors.md, "
                                    "\"From the LMS and back\")")
    lms.add_argument("--from", dest="source", type=Path, metavar="ARCHIVE_OR_FOLDER",
                     help="first import this submissions download of the one ASSIGNMENT: "
                     "Canvas's or Moodle's zip, or a folder of .ipynb")
    lms.add_argument("--roster", type=Path, metavar="FILE",
                     help="the LMS's export of the class: Canvas's gradebook CSV, Moodle's "
                     "grading worksheet")
    lms.add_argument("--groups", type=Path, metavar="FILE",
                     help="with --from: Canvas's export of the group set of a group "
                     "assignment, so that every member gets the group's grade")
    lms.add_argument("--export", nargs=2, metavar=("canvas|moodle|moodle-gradebook", "FILE"),
                     help="write the grades as FILE for that LMS's grade import (moodle: the "
                     "assignment's grading worksheet, filled in), and a zip per assignment "
                     "of the feedback for its bulk upload (grades nothing unless --from is "
                     "given)")
    lms.add_argument("--lms-assignment", action="append", default=[], metavar='"Title (id)"',
                     help="with --export canvas: the assignment's Canvas column, as Canvas "
                     "titles it; NAME=\"Title (id)\" with several assignments (default: "
                     "c.CanvasExport.assignments, else the roster's column titled NAME)")
    return parser


def check_args(args: argparse.Namespace) -> None:
    """Exit with a usage error for options that do not go together."""
    if args.workers is not None and args.workers < 1:
        parser().error("--workers must be at least 1")
    if args.source is not None and len(args.assignments) != 1:
        parser().error("--from takes the download of one assignment: name only that one")
    if args.export is not None and args.export[0] not in LMSES:
        parser().error("--export: the LMS is canvas, moodle or moodle-gradebook, not "
                       f"{args.export[0]!r}")
    if args.roster is not None and args.source is None and args.export is None:
        parser().error("--roster goes with --from or --export")
    if args.groups is not None and args.source is None:
        parser().error("--groups goes with --from")
    if args.lms_assignment and (args.export is None or args.export[0] != "canvas"):
        parser().error("--lms-assignment goes with --export canvas")


def asked_titles(values: list[str], names: list[str]) -> dict[str, str]:
    """--lms-assignment's values by assignment: `NAME=Title (id)`, or for one assignment just
    `Title (id)`; a usage error for anything else."""
    titles = {}
    for value in values:
        name, sep, title = value.partition("=")
        if sep and name.strip() in names:
            titles[name.strip()] = title.strip()
        elif len(names) == 1 and names[0] not in titles:
            titles[names[0]] = value.strip()
        else:
            parser().error(f"--lms-assignment {value!r}: with several assignments, say whose "
                           f"column it is: NAME=\"Title (id)\", NAME one of {', '.join(names)}")
    return titles


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    check_args(args)
    titles = asked_titles(args.lms_assignment, args.assignments)
    grading = args.export is None or args.source is not None
    run, paths, imported, exported = None, {}, None, None
    try:
        if grading and args.scheduler is None:  # before the course folder is touched
            stop_without_sandbox(course_config(args.course))
        with Grader.open(args.course, args.db) as grader:
            roster = load_roster(grader, args.roster)
            groups = read_group_set(args.groups) if args.groups is not None else None
            if args.source is not None:
                imported = take_in(grader, args.assignments[0], args.source, roster, groups)
            if args.export is not None and args.export[0] == "canvas":  # before any grading
                canvas_columns(grader, args.assignments, roster, titles)
            if grading:
                run = grade(grader, args.assignments, workers=args.workers,
                            scheduler=args.scheduler, force=args.force,
                            progress=not args.no_progress)
                paths = report(grader, args.assignments)
            if args.export is not None:
                lms, file = args.export
                exported = export_lms(grader, lms, args.assignments, Path(file), roster,
                                      titles)
    except Stop as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted: what was graded is recorded; run the same command again to "
              "grade the rest", file=sys.stderr)
        return 130
    print(summary(grader, run, paths, imported, exported))
    failed = (run is not None and run.problems) or (imported is not None and imported.bad) or (
        exported is not None and exported.unexported)
    return 1 if failed else 0


def load_roster(grader: Grader, path: Path | None) -> Roster | None:
    if path is None:
        return None
    timezone = grader.config.Exchange.timezone if "timezone" in grader.config.Exchange else (
        "UTC")
    return read_roster(path, timezone)


def take_in(grader: Grader, assignment: str, source: Path, roster: Roster | None,
            groups: GroupSet | None = None) -> Imported:
    """Import the download, printing one line per file not imported."""
    imported = import_class(grader, assignment, source, roster, say=lambda line: None,
                            groups=groups)
    for unplaced in imported.unplaced:
        print(unplaced.line())
    print(imported.summary())
    return imported


def summary(grader: Grader, run: Run | None, paths: dict[str, Path],
            imported: Imported | None = None, exported: Exported | None = None) -> str:
    """The closing lines: what was imported, graded and exported, what was not and why, and
    where everything is."""
    lines = []
    if imported is not None:
        lines += [f"\n{imported.summary()}"] + [f"  {u.line()}" for u in imported.bad]
    if run is not None:
        lines += [f"\nGraded {len(run.graded)} submissions in {run.seconds:.0f} s; "
                  f"{run.up_to_date} already graded and unchanged; "
                  f"{len(run.problems)} not graded."]
        lines += [f"  {problem.line()}" for problem in run.problems]
        lines += [f"Gradebook:     {shown(grader.db)}",
                  f"Autograded:    {grader.root / 'autograded'}/<student>/<assignment>/",
                  f"Feedback HTML: {grader.root / 'feedback'}/<student>/<assignment>/"
                  "<assignment>.html"]
        lines += [f"{what + ':':<14} {path}" for what, path in paths.items()]
    if exported is not None:
        lines += [""] + exported.lines()
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
