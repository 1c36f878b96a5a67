"""The round trip of tests/test_hub.py, as the people on the hub do it in their browsers: the
instructor releases from the formgrader, two students fetch and submit from the Assignment
List, the instructor collects and grades (the formgrader's button, then the grading command in
a terminal) and returns feedback, the students fetch and open it."""

from __future__ import annotations

import time
from dataclasses import dataclass

import nbformat

from rnncourse.course.submissions import perfect_submission
from rnncourse.engine.course_folder import notebook_path
from rnncourse.engine.notebooks import read_notebook
from testing import REPO

ASSIGNMENT = "01_simple_rnn"
NOTEBOOK = f"{ASSIGNMENT}/{ASSIGNMENT}.ipynb"


def errors(notebook: dict) -> list[str]:
    """The error outputs of a notebook: 'ename: evalue' each."""
    return [f"{o['ename']}: {o['evalue']}" for c in notebook["cells"]
            for o in c.get("outputs", []) if o.get("output_type") == "error"]


def printed(notebook: dict) -> str:
    """What a notebook printed."""
    return "".join("".join(o.get("text", "")) for c in notebook["cells"]
                   for o in c.get("outputs", []) if o.get("output_type") == "stream")


@dataclass
class RoundTrip:
    scores: dict[str, str]                       # the formgrader's score column, per student
    regraded: dict[str, str]                     # the same after the grading command
    terminal: str                                # what the grading command printed
    feedback: dict[str, tuple[str, str]]         # per student: (path in home, page text)
    seconds: dict[str, float]


def run_round_trip(site, browser) -> RoundTrip:
    """The whole round trip on the hub `site` (scripts/hub_site.py), with `browser(name)`
    giving each person's signed-in browser."""
    ADA, BO = site.students  # noqa: N806 -- the two students, named as in tests/test_hub.py
    steps: dict[str, float] = {}
    clock = time.monotonic()

    def step(name: str) -> None:
        nonlocal clock
        steps[name] = round(time.monotonic() - clock, 1)
        clock = time.monotonic()

    teacher = browser(site.instructor)
    teacher.formgrader()
    teacher.shot("formgrader-assignments")
    teacher.formgrader_action("td.name", ASSIGNMENT, "release", "release")
    step("instructor signs in and releases")

    ada = browser(ADA)
    ada.assignment_list()
    ada.shot("assignment-list-released")
    ada.assignment_button("released", ASSIGNMENT, "Fetch")
    source = read_notebook(notebook_path("source", ASSIGNMENT, REPO))
    fetched = nbformat.from_dict(ada.read_notebook(NOTEBOOK))
    ada.write_notebook(NOTEBOOK, perfect_submission(source, fetched))
    step("student A signs in, fetches and saves her answers")
    run = ada.run_all(NOTEBOOK)
    ada.shot("notebook-run")
    assert not errors(run), f"the answers raised in the student's server: {errors(run)}"
    step("student A runs the notebook")
    ada.assignment_list()
    ada.validate(ASSIGNMENT)
    ada.assignment_button("fetched", ASSIGNMENT, "Submit")
    ada.find_in_list("submitted", ASSIGNMENT)
    ada.shot("assignment-list-submitted")
    step("student A validates and submits")

    bo = browser(BO)
    bo.assignment_list()
    bo.assignment_button("released", ASSIGNMENT, "Fetch")
    bo.assignment_button("fetched", ASSIGNMENT, "Submit")
    bo.find_in_list("submitted", ASSIGNMENT)
    step("student B signs in, fetches and submits the untouched notebook")

    teacher.formgrader()
    teacher.formgrader_action("td.name", ASSIGNMENT, "collect", "collect")
    teacher.formgrader(f"manage_submissions/{ASSIGNMENT}")
    for student in (ADA, BO):
        teacher.formgrader_action("td.student-id", student, "autograde", "autograde")
    teacher.formgrader(f"manage_submissions/{ASSIGNMENT}")
    scores = {s: teacher.cell("td.student-id", s, "score") for s in (ADA, BO)}
    teacher.shot("formgrader-submissions-graded")
    step("instructor collects and autogrades from the formgrader")
    graded = teacher.terminal(f"cd {site.course} && command -v python && "
                              f"python -m rnncourse.grade {ASSIGNMENT} --force --workers 2")
    teacher.formgrader(f"manage_submissions/{ASSIGNMENT}")
    regraded = {s: teacher.cell("td.student-id", s, "score") for s in (ADA, BO)}
    step("instructor grades the class again with the grading command in a terminal")
    teacher.formgrader()
    teacher.formgrader_action("td.name", ASSIGNMENT, "generate-feedback", "generate-feedback")
    teacher.formgrader_action("td.name", ASSIGNMENT, "release-feedback", "release-feedback")
    teacher.formgrader()
    teacher.shot("formgrader-assignments-done")
    step("instructor generates and releases feedback")

    feedback = {}
    for student in (ADA, BO):
        one = browser(student)
        one.assignment_list()
        one.assignment_button("submitted", ASSIGNMENT, "Fetch Feedback")
        feedback[student] = one.open_feedback(ASSIGNMENT)
        one.shot("feedback")
    step("students fetch and open their feedback")
    return RoundTrip(scores, regraded, graded, feedback, steps)
