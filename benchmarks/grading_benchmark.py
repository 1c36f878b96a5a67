"""How fast the grader grades a class, next to sequential nbgrader, and one student's course.

    .venv/bin/python benchmarks/grading_benchmark.py [--per-lesson 12] [--workers 2]
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

from rnncourse import known_class
from rnncourse.course import Course, assignments, notebook_path
from rnncourse.grade import STATE
from rnncourse.nbgrader_run import QUIET_ENV, check_nbgrader
from rnncourse.notebooks import read_notebook


def the_class(name: str, release, size: int) -> dict:
    """`size` known students (rnncourse.known_class): perfect, blank, then the mutants in turn."""
    known = known_class.load(name)
    mutants = [f"mutant_{m.name}" for m in known.mutants]
    made = known.students(release, ["perfect", "blank", *mutants])
    students = {"perfect": made["perfect"], "blank": made["blank"]}
    for i in range(size - 2):
        student, again = mutants[i % len(mutants)], i // len(mutants)
        students[f"{student}_{again + 1}" if again else student] = made[student]
    return students


def course_with(path: Path, classes: dict[str, dict]) -> Course:
    course = Course.scratch(path, list(classes))
    for name, students in classes.items():
        for student, nb in students.items():
            course.submit(name, student, nb)
    return course


def command(course: Course, names: list[str], *args: str) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "rnncourse.grade", *names, "--course", str(course.path),
         "--no-progress", *args],
        capture_output=True, text=True, env={**os.environ, **QUIET_ENV})
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"the grader failed ({done.returncode}):\n{done.stdout[-3000:]}"
                         f"{done.stderr[-3000:]}")
    return elapsed


def totals(course: Course, names: list[str]) -> dict:
    return {(name, student): None if cells is None else sum(c.score for c in cells.values())
            for name in names for student, cells in course.scores(name).items()}


def whole_course(tmp: Path, workers: int) -> tuple[float, dict, str]:
    """One perfect student's submissions of every lesson, graded with `workers` workers."""
    lessons = assignments()
    one = Course.scratch(tmp / "one-student", lessons)
    for name in lessons:
        release = read_notebook(notebook_path("release", name))
        perfect = known_class.load(name).students(release, ["perfect"])["perfect"]
        one.submit(name, "perfect", perfect)
    whole = command(one, lessons, "--workers", str(workers))
    seconds = {name: json.loads((one.path / STATE / "graded" / name / "perfect.json")
                                .read_text())["seconds"] for name in lessons}
    per_lesson = ", ".join(f"{name[:2]} {s:.0f} s" for name, s in seconds.items())
    return whole, totals(one, lessons), f"per submission: {per_lesson}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", default=["01_simple_rnn", "04_torch_basic_rnn"])
    parser.add_argument("--per-lesson", type=int, default=12)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--whole-course-only", action="store_true",
                        help="measure only one student's whole course")
    args = parser.parse_args(argv)
    names, n = args.lessons, args.per_lesson * len(args.lessons)
    rows = []
    with tempfile.TemporaryDirectory(prefix="grading-benchmark-") as tmp:
        tmp = Path(tmp)
        if args.whole_course_only:
            whole, got, per_lesson = whole_course(tmp, args.workers)
            print(f"One student's whole course, --workers {args.workers}: {whole:.0f} s wall "
                  f"({per_lesson}); {sum(v for v in got.values() if v is not None):g} points")
            return 0
        releases = Course.scratch(tmp / "releases", names)
        classes = {name: the_class(name, releases.generate(name), args.per_lesson)
                   for name in names}
        print(f"class: {n} submissions ({args.per_lesson} per lesson: {', '.join(names)}); "
              f"{os.cpu_count()} cores", flush=True)

        # (a) sequential nbgrader
        sequential = course_with(tmp / "sequential", classes)
        for name in names:
            sequential.generate(name)
        started = time.perf_counter()
        autograde = 0.0
        for name in names:
            check_nbgrader(sequential.path, "autograde", name, "--create", "--force")
            autograde = time.perf_counter() - started
        for name in names:
            check_nbgrader(sequential.path, "generate_feedback", name, "--force")
        a = time.perf_counter() - started
        expected = totals(sequential, names)
        rows.append(("a. sequential nbgrader autograde + generate_feedback", a, 1))
        print(f"a: {a:.0f} s (autograde alone {autograde:.0f} s)", flush=True)

        # (b) the command, local workers
        local = course_with(tmp / "local", classes)
        b = command(local, names, "--workers", str(args.workers))
        same_b = totals(local, names) == expected
        rows.append((f"b. python -m rnncourse.grade --workers {args.workers}", b, args.workers))
        print(f"b: {b:.0f} s, same grades as a: {same_b}", flush=True)

        # (c) the command through a Dask LocalCluster
        from dask.distributed import LocalCluster

        started = time.perf_counter()
        with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster:
            cluster_start = time.perf_counter() - started
            dask_course = course_with(tmp / "dask", classes)
            c = command(dask_course, names, "--scheduler", cluster.scheduler_address)
        same_c = totals(dask_course, names) == expected
        rows.append((f"c. the same through a Dask LocalCluster of {args.workers} workers", c,
                     args.workers))
        print(f"c: {c:.0f} s (cluster started in {cluster_start:.0f} s before), same grades "
              f"as a: {same_c}", flush=True)

        whole, got, per_lesson = whole_course(tmp, args.workers)
        lessons = assignments()

    print(f"\n| how ({n} submissions, 2 lessons) | wall | speed-up | worker-s per submission "
          "| overhead per submission |")
    print("|---|---:|---:|---:|---:|")
    per_a = a / n
    for what, wall, workers in rows:
        per = wall * workers / n
        print(f"| {what} | {wall:.0f} s | {a / wall:.2f}× | {per:.1f} s | "
              f"{per - per_a:+.1f} s |")
    print(f"\nOne student's whole course ({len(lessons)} lessons, perfect), "
          f"--workers {args.workers}: {whole:.0f} s wall ({per_lesson}); total "
          f"{sum(v for v in got.values() if v is not None):g} points.")
    print(f"Same grades as sequential nbgrader: local {same_b}, Dask {same_c}.")
    return 0 if same_b and same_c else 1


if __name__ == "__main__":
    sys.exit(main())
