"""The grading command's parts (`python -m rnncourse.grade` is its command line, in grade.py).

* `session` -- `Grader.open(root)`: a course folder held for grading (lock, gradebook);
* `plan` -- what to grade: each submission checked, the ones already graded skipped, the order;
* `kits` -- what every task of one assignment carries (config, source, the cells' gradebook);
* `submission` -- the unit of work: one submission graded by nbgrader in a scratch course;
* `pools` -- where tasks run: local worker processes or a Dask cluster;
* `records` -- writing a graded submission into the course, and the records that make a rerun
  resume;
* `run` -- `grade()`: plan, run the tasks, store what comes back;
* `report` -- grades.csv, the table of checks and the plot;
* `gradebook` -- nbgrader's gradebook, read and written through nbgrader's own API;
* `problems` -- `Stop` (nothing can run) and `Problem` (one submission cannot be graded);
* `lms` -- to and from Canvas and Moodle (its own map in lms/__init__.py).

Built on `rnncourse.engine`; nothing here imports `rnncourse.course` or knows the course's
lessons or its known students (tests/test_layout.py).
"""
