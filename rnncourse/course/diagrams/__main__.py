"""Redraw the course's diagrams and refresh them in the source notebooks.

    python -m rnncourse.course.diagrams            redraw docs/diagrams/, refresh source/
    python -m rnncourse.course.diagrams --check    change nothing; list what differs, exit 1 if any

A lesson shows diagram NAME with a markdown cell holding `![...](attachment:NAME.svg)`; the
drawings and their alt texts are in rnncourse/course/diagrams/catalogue.py. Rebuild release/
afterwards (`make release` does both).
"""

from __future__ import annotations

import argparse
import sys

from ...engine.course_folder import add_course_option
from ...engine.notebooks import NotebookError
from .attachments import sync
from .catalogue import draw_all


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rnncourse.course.diagrams",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; list differences")
    parser.add_argument("assignments", nargs="*", help="default: every assignment")
    add_course_option(parser)
    args = parser.parse_args(argv)
    write = not args.check
    try:
        drawn = draw_all(args.course, write=write)
        cells = sync(args.course, args.assignments or None, write=write)
    except (ValueError, NotebookError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    for line in drawn + cells:
        print(("differs: " if args.check else "rewrote: ") + line)
    return 1 if (args.check and (drawn or cells)) else 0


if __name__ == "__main__":
    sys.exit(main())
