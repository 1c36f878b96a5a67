"""Instructor tooling for the course "Recurrent neural networks from scratch".

The grading core (it knows nothing of the course's lessons or known students):

* `grade` -- the command line, `python -m rnncourse.grade`; its parts are in `grading/`
  (see rnncourse.grading: the course held for grading, the plan, the kits, the unit of work,
  the pools, the stored results and resume records, the report, the gradebook, and the way
  to and from Canvas and Moodle: `lms` and its parts, `lms_export`);
* `sandbox`, `sandbox_launch` -- the bubblewrap box and the limits every graded kernel runs in;
* `guarded_execute`, `kernel_guard`, `kernel_protocol` -- the grading kernel (student code and
  probes in the box) and what it shares with the grader;
* `judge`, `judge_client`, `judge_audit`, `plain_data` -- the checks, decided in a process of
  their own; the plain data that crosses to it; the audit the tests read;
* `review` -- what a submission's own code does that an instructor should look at;
* `nbgrader_steps` -- the small nbgrader preprocessors the course adds.

The course folder and its notebooks: `course` (the folder, scratch copies, plain nbgrader),
`nbgrader_run` (running nbgrader's commands), `notebooks`, `build` (release/ and solutions/),
`publish` and `publish_readme` (the students' copy), `lesson_code`, `lesson_helpers`,
`lesson_helpers_torch` and `shared_cells` (code the lessons share), `cell_rules` (the lint of
course cells).

The classroom tools, built on the core: `known_class` (each lesson's known students),
`variants` (mutants and alternatives as patches), `integrity`, `cheat_code` and
`cheat_rewrites` (generated fair solutions and cheats), `demo` and `demo_class` (the demo
class and its saved students). They take the variants folder (the course's tests/variants) as
a parameter; nothing here reads tests/.
"""
