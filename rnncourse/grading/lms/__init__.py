"""To and from Canvas and Moodle.

* `importer` -- `import_class()`: an LMS's submissions download (or a folder of notebooks)
  into submitted/, through nbgrader's zip_collect plugins; `manifest` -- what the LMS said of
  each student, kept for the export; `groups` -- whose file it is, a student's or a group's;
* `archive` -- the extractor, with limits on what a download may hold;
* `names` -- the collectors: how each LMS names the files it hands out;
* `roster` -- the LMS's own export of the class;
* `export` -- `export_lms()` (with `credits`, what the writers share): who gets which grade,
  and the feedback named for the LMS's bulk upload, written as `canvas` (the gradebook import,
  into the assignment's own column), `worksheet` (Moodle's grading worksheet, filled in) or
  `moodle_gradebook` (Moodle's course-gradebook import).
"""
