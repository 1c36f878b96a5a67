"""Instructor tooling for the course "Recurrent neural networks from scratch".

Three folders, each with its map in its `__init__`, and ARCHITECTURE.md for how they fit:

* `engine` -- grading one notebook safely: the student's kernel in its sandbox, the judge that
  decides every check, nbgrader's execute step and preprocessors (knows no class, no course);
* `grading` -- grading a class: the command `python -m rnncourse.grade` (grade.py) and its
  parts, the gradebook, Canvas and Moodle in and out (built on the engine);
* `course` -- this course's build: the lessons' shared helpers, release and solutions, the
  students' copy, the demo (built on both).

The course's test fixtures (known students, mutants, generated cheats) live outside the
package, in the repository's `testing/`.
"""

from . import _renamed

_renamed.install()
