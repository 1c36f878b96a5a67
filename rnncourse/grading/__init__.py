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
* `lms` -- `import_class()`: a Canvas or Moodle submissions download (or a folder of
  notebooks) into submitted/, through nbgrader's zip_collect plugins: `lms_archive` (the
  extractor, with limits), `lms_names` (the collectors: how each LMS names the files),
  `lms_roster` (the LMS's own export of the class);
* `lms_export` -- `export_lms()`: the grades as Canvas's or Moodle's grade import reads them,
  and the feedback named for their bulk upload.

Nothing here knows the course's lessons or its known students (rnncourse.known_class and the
demo are built on top of it).
"""
