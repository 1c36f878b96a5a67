"""The course's test fixtures, kept out of the installed package: known students (perfect,
blank, mutants, alternatives, generated fair solutions and cheats), plain-nbgrader grading for
reference, the judge's audit, and running a lesson's own cells outside Jupyter.

`REPO` is the course folder these fixtures belong to: this repository.
"""

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
