"""This course's own build, on top of the engine and the class grader.

* `lesson_helpers`, `lesson_helpers_torch`, `lesson_setup` -- the helpers the lessons share,
  written once (`lesson_setup`: installing what is missing, the frameworks' import order, the
  training device);
  `shared_cells` copies them into the source notebooks (`make release` runs it);
* `diagrams` -- the lessons' diagrams, drawn by code and kept in the source notebooks as
  attachments (`python -m rnncourse.course.diagrams`, which `make release` runs);
* `build` -- release/ and solutions/ from source/ (`python -m rnncourse.course.build`);
* `publish`, `publish_readme`, `public_repo` -- the students' copy for a public repository,
  its README, and the repository and lessons both describe;
* `submissions` -- submissions derived from a lesson: the perfect one, the fixed students,
  known students as patches;
* `demo`, `demo_class` -- `make demo`: a demo class graded by `python -m rnncourse.grade`, its
  chosen students saved in demo_class.json.
"""
