"""The grading engine: one notebook graded safely, every verdict in the judge.

* `judged_execute` -- `JudgedExecute`, nbgrader's Execute step for autograding: the student's
  cells in the sandboxed kernel, each test cell in the judge, limits on time and output;
* `student_kernel` -- the kernel that runs the student's cells, the course's locked cells and
  the probes, in the sandbox; `channel` -- how the execute step marks course cells for it;
* `judge` -- the process that runs the course's checks and decides, never student code;
  `probes` -- its stand-ins that ask the kernel to run a probe; `judge_client` -- starting it
  and talking to it; `protocol` -- every message between them;
* `layer_watch` -- in the kernel, which framework layers each probe ran; `layer_rules` --
  which layers each check forbids (the lesson's `write_yourself`), and the flags for them;
* `plain_data` -- the only data that crosses from the kernel to the judge;
* `sandbox`, `sandbox_launch` -- the bubblewrap box, started with its resource limits;
* `parent_watch`, `scratch` -- processes that end with the one that started them, and scratch
  folders the next run removes when their process was killed;
* `limits` -- `GradingLimits`, every limit a graded notebook runs under (help = the manual);
* `frameworks` -- what the engine knows of each framework (preloading, resetting, tensors);
* `preprocessors` -- the small nbgrader preprocessors the course adds;
* `probe_lint` -- the rules every course cell keeps so that verdicts stay in the judge;
* `review_flags` -- what a submission's code does that an instructor should look at;
* `course_folder`, `notebooks`, `nbgrader_run` -- an nbgrader course folder, its notebooks,
  and nbgrader's commands run in it.

Nothing here imports `rnncourse.grading` or `rnncourse.course` (tests/test_layout.py).
"""
