"""Does the package install as an instructor gets it, with none of the test fixtures, and does
the installed grader grade a course folder that is not this repository?

The wheel is built from a copy of the package's files (so that the build leaves nothing in the
repository), installed into a folder of its own, and put first on the path of a grading run in
a course folder elsewhere: one with the course's config and one lesson, and a perfect and a
blank submission handed in.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from rnncourse.engine.nbgrader_run import nbgrader_env
from testing import REPO
from testing.plain_grader import PlainCourse

from .helpers import LESSONS

NAME = "04_torch_basic_rnn"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The package's wheel, as `pip install .` builds it."""
    tree = tmp_path_factory.mktemp("tree")
    shutil.copytree(REPO / "rnncourse", tree / "rnncourse",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "LICENSE"):
        shutil.copy(REPO / name, tree / name)
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                           "--no-build-isolation", "--wheel-dir", str(out), str(tree)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return next(out.glob("rnncourse-*.whl"))


@pytest.mark.unit
def test_the_wheel_holds_the_three_parts_and_no_test_fixture(wheel):
    """Does the wheel hold the engine, the class grader and the course build, the demo's
    saved class, and nothing of testing/ or tests/?"""
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names if not n.startswith("rnncourse-")}
    assert tops == {"rnncourse"}, tops
    for module in ("rnncourse/engine/judge.py", "rnncourse/grading/lms/export.py",
                   "rnncourse/grade.py", "rnncourse/course/demo_class.json"):
        assert module in names


@pytest.mark.lesson(NAME)
def test_the_installed_grader_grades_a_course_folder_elsewhere(wheel, tmp_path):
    """Does `python -m rnncourse.grade`, installed from the wheel, grade a course folder that
    is not this repository, in its sandbox with its judge: 10/10 and 0/10?"""
    site = tmp_path / "site"
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                           "--target", str(site), str(wheel)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    course = PlainCourse.scratch(tmp_path / "elsewhere", [NAME])
    release = course.generate(NAME)
    for student, nb in LESSONS[NAME].students(release, ["perfect", "blank"]).items():
        course.submit(NAME, student, nb)
    env = nbgrader_env({**os.environ, "PYTHONPATH": str(site)})
    where = subprocess.run([sys.executable, "-c", "import importlib.util, rnncourse; "
                            "print(rnncourse.__file__, importlib.util.find_spec('testing'))"],
                           capture_output=True, text=True, cwd=course.path, env=env)
    assert where.stdout.split() == [str(site / "rnncourse" / "__init__.py"), "None"]
    graded = subprocess.run([sys.executable, "-m", "rnncourse.grade", NAME, "--workers", "1",
                             "--no-progress"], capture_output=True, text=True,
                            cwd=course.path, env=env, timeout=900)
    assert graded.returncode == 0, graded.stdout[-3000:] + graded.stderr[-3000:]
    with open(course.path / "grades.csv", newline="") as rows:
        scores = {row["student_id"]: float(row["score"]) for row in csv.DictReader(rows)}
    assert scores == {"perfect": 10.0, "blank": 0.0}
