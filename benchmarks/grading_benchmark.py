"""How fast the grader grades a class, next to sequential nbgrader, and one student's course.

    .venv/bin/python -m benchmarks.grading_benchmark [--per-lesson 12] [--workers 2]
        [LESSON LESSON]

One class of `--per-lesson` submissions in each of two lessons (default 01_simple_rnn and
04_torch_basic_rnn: the perfect student, the blank notebook and the lesson's mutants in turn)
is graded three times, each in a fresh scratch course folder, in one run:

a. sequential nbgrader: `nbgrader autograde LESSON` then `nbgrader generate_feedback LESSON`,
   one lesson after the other (what an instructor ran before the grader);
b. `python -m rnncourse.grade LESSON LESSON --workers N`;
c. the same command through a Dask LocalCluster of N worker processes (one thread each),
   started before the clock starts.

Then one perfect student's whole course (every lesson under source/) is graded with
`--workers N`. Prints wall times, the speed-up over (a), the cost per submission in
worker-seconds and its overhead over (a), and checks that (b) and (c) gave the grades (a) gave.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rnncourse.engine.course_folder import assignments, notebook_path
from rnncourse.engine.nbgrader_run import check_nbgrader, nbgrader_env
from rnncourse.engine.notebooks import read_notebook
from rnncourse.grade import STATE
from testing import REPO, known_class
from testing.plain_grader import PlainCourse

VARIANTS = REPO / "tests" / "variants"   # each lesson's known bugs (testing.variants)


def the_class(name: str, release, size: int) -> dict:
    """`size` known students (testing.known_class): perfect, blank, then the mutants in turn."""
    known = known_class.load(name, REPO, VARIANTS)
    mutants = [f"mutant_{m.name}" for m in known.mutants]
    made = known.students(release, ["perfect", "blank", *mutants])
    students = {"perfect": made["perfect"], "blank": made["blank"]}
    for i in range(size - 2):
        student, again = mutants[i % len(mutants)], i // len(mutants)
        students[f"{student}_{again + 1}" if again else student] = made[student]
    return students


def course_with(path: Path, classes: dict[str, dict]) -> PlainCourse:
    course = PlainCourse.scratch(path, list(classes))
    for name, students in classes.items():
        for student, nb in students.items():
            course.submit(name, student, nb)
    return course


def command(course: PlainCourse, names: list[str], *args: str) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "rnncourse.grade", *names, "--course", str(course.path),
         "--no-progress", *args],
        capture_output=True, text=True, env=nbgrader_env())
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"the grader failed ({done.returncode}):\n{done.stdout[-3000:]}"
                         f"{done.stderr[-3000:]}")
    return elapsed


def totals(course: PlainCourse, names: list[str]) -> dict:
    return {(name, student): None if cells is None else sum(c.score for c in cells.values())
            for name in names for student, cells in course.scores(name).items()}


def whole_course(tmp: Path, workers: int) -> tuple[float, dict, str]:
    """One perfect student's submissions of every lesson, graded with `workers` workers."""
    lessons = assignments(REPO)
    one = PlainCourse.scratch(tmp / "one-student", lessons)
    for name in lessons:
        release = read_notebook(notebook_path("release", name, REPO))
        perfect = known_class.load(name, REPO, VARIANTS).students(release, ["perfect"])["perfect"]
        one.submit(name, "perfect", perfect)
    whole = command(one, lessons, "--workers", str(workers))
    seconds = {name: json.loads((one.path / STATE / "graded" / name / "perfect.json")
                                .read_text())["seconds"] for name in lessons}
    per_lesson = ", ".join(f"{name[:2]} {s:.0f} s" for name, s in seconds.items())
    return whole, totals(one, lessons), f"per submission: {per_lesson}"


def sequential(tmp: Path, classes: dict[str, dict]) -> tuple[float, dict]:
    """(a) plain nbgrader, one submission after another: seconds, and the grades."""
    names = list(classes)
    course = course_with(tmp / "sequential", classes)
    for name in names:
        course.generate(name)
    started = time.perf_counter()
    for name in names:
        check_nbgrader(course.path, "autograde", name, "--create", "--force")
    autograde = time.perf_counter() - started
    for name in names:
        check_nbgrader(course.path, "generate_feedback", name, "--force")
    a = time.perf_counter() - started
    print(f"a: {a:.0f} s (autograde alone {autograde:.0f} s)", flush=True)
    return a, totals(course, names)


def on_dask(tmp: Path, classes: dict[str, dict], workers: int) -> tuple[float, dict]:
    """(c) the command through a Dask LocalCluster: seconds (without the cluster's start),
    and the grades."""
    from dask.distributed import LocalCluster

    started = time.perf_counter()
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        cluster_start = time.perf_counter() - started
        course = course_with(tmp / "dask", classes)
        c = command(course, list(classes), "--scheduler", cluster.scheduler_address)
    print(f"c: {c:.0f} s (cluster started in {cluster_start:.0f} s before)", flush=True)
    return c, totals(course, list(classes))


def print_table(rows: list[tuple[str, float, int]], n: int) -> None:
    print(f"\n| how ({n} submissions) | wall | speed-up | worker-s per submission "
          "| overhead per submission |")
    print("|---|---:|---:|---:|---:|")
    a = rows[0][1]
    for what, wall, workers in rows:
        per = wall * workers / n
        print(f"| {what} | {wall:.0f} s | {a / wall:.2f}× | {per:.1f} s | "
              f"{per - a / n:+.1f} s |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", default=["01_simple_rnn", "04_torch_basic_rnn"])
    parser.add_argument("--per-lesson", type=int, default=12)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--whole-course-only", action="store_true",
                        help="measure only one student's whole course")
    args = parser.parse_args(argv)
    names, n, workers = args.lessons, args.per_lesson * len(args.lessons), args.workers
    with tempfile.TemporaryDirectory(prefix="grading-benchmark-") as tmp:
        tmp = Path(tmp)
        if not args.whole_course_only:
            releases = PlainCourse.scratch(tmp / "releases", names)
            classes = {name: the_class(name, releases.generate(name), args.per_lesson)
                       for name in names}
            print(f"class: {n} submissions ({args.per_lesson} per lesson: {', '.join(names)}); "
                  f"{os.cpu_count()} cores", flush=True)
            a, expected = sequential(tmp, classes)
            local = course_with(tmp / "local", classes)
            b = command(local, names, "--workers", str(workers))
            same_b = totals(local, names) == expected
            print(f"b: {b:.0f} s, same grades as a: {same_b}", flush=True)
            c, grades_c = on_dask(tmp, classes, workers)
            same_c = grades_c == expected
        whole, got, per_lesson = whole_course(tmp, workers)
    points = sum(v for v in got.values() if v is not None)
    if args.whole_course_only:
        print(f"One student's whole course, --workers {workers}: {whole:.0f} s wall "
              f"({per_lesson}); {points:g} points")
        return 0
    print_table([("a. sequential nbgrader autograde + generate_feedback", a, 1),
                 (f"b. python -m rnncourse.grade --workers {workers}", b, workers),
                 (f"c. the same through a Dask LocalCluster of {workers} workers", c, workers)],
                n)
    print(f"\nOne student's whole course ({len(assignments(REPO))} lessons, perfect), "
          f"--workers {workers}: {whole:.0f} s wall ({per_lesson}); total {points:g} points.")
    print(f"Same grades as sequential nbgrader: local {same_b}, Dask {same_c}.")
    return 0 if same_b and same_c else 1


if __name__ == "__main__":
    sys.exit(main())
