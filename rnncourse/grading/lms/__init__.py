"""To and from Canvas and Moodle.

* `importer` -- `import_class()`: an LMS's submissions download (or a folder of notebooks)
  into submitted/, through nbgrader's zip_collect plugins;
* `archive` -- the extractor, with limits on what a download may hold;
* `names` -- the collectors: how each LMS names the files it hands out;
* `roster` -- the LMS's own export of the class;
* `export` -- `export_lms()`: the grades as the LMS's grade import reads them, and the
  feedback named for its bulk upload.
"""
