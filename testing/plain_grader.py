"""Grading a class with plain, sequential `nbgrader autograde`: the reference the grading
command is compared with (the tests and the grading benchmark)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from rnncourse.engine.course_folder import Course, notebook_path
from rnncourse.engine.nbgrader_run import errors_in_log, nbgrader, student_in_log_line
from rnncourse.engine.notebooks import notebook_problem
from rnncourse.engine.sandbox import require_sandbox
from rnncourse.grading.gradebook import CellScore, read_scores

from . import REPO


class PlainCourse(Course):
    """A course folder graded by plain nbgrader."""

    @classmethod
    def scratch(cls, path: Path, names: Iterable[str], root: Path = REPO) -> PlainCourse:
        """A fresh course with the config and sources of `root` (default: this repository)."""
        return super().scratch(path, names, root)

    def autograde(self, assignment: str,
                  on_student: Callable[[str], None] | None = None) -> dict[str, str]:
        """Grade every submission of `assignment` with one sequential `nbgrader autograde`.

        Returns the ones that could not be graded. Unreadable notebooks are checked first and
        left out of nbgrader's run (they stay in submitted/ untouched), so one broken file
        never stops the rest of the class. A student nbgrader fails on (or a run that stops
        part-way) is graded again on their own, so that one submission cannot take the rest
        of the class with it; what still fails is reported with nbgrader's own words. A
        sandbox that cannot be made stops everything before any submission runs
        (`SandboxUnavailable`). `python -m rnncourse.grade` grades a class in parallel; this
        is plain nbgrader, the reference the tests compare it with.
        """
        require_sandbox(self.config())
        problems = {}
        for student in self.students(assignment):
            problem = notebook_problem(notebook_path("submitted", assignment, self.path, student))
            if problem:
                problems[student] = problem

        def progress(line: str) -> None:
            student = student_in_log_line(line)
            if student and on_student:
                on_student(student)

        args = ["autograde", assignment, "--create", "--force"]
        if problems:
            args.append(f"--CourseDirectory.student_id_exclude={','.join(problems)}")
        nbgrader(self.path, *args, on_line=progress)
        for student in self.students(assignment):
            # nbgrader removes a student's autograded folder when it fails on them, but may
            # have created their gradebook rows already: the notebook is the sign of success.
            if student in problems or self._autograded(assignment, student):
                continue
            alone = nbgrader(self.path, "autograde", assignment, "--create", "--force",
                             f"--student={student}")
            if not self._autograded(assignment, student):
                problems[student] = (
                    f"{notebook_path('submitted', assignment, self.path, student)}: "
                    f"nbgrader could not grade it:\n{errors_in_log(alone.stdout)}"
                )
        return problems

    def _autograded(self, assignment: str, student: str) -> bool:
        return (notebook_path("autograded", assignment, self.path, student).is_file()
                and self.scores(assignment, [student])[student] is not None)

    def scores(self, assignment: str, students: Iterable[str] | None = None
               ) -> dict[str, dict[str, CellScore] | None]:
        """Per student of submitted/ (or of `students`), every graded cell's score."""
        names = self.students(assignment) if students is None else list(students)
        return read_scores(self.db_url, self.course_id, assignment, names)
