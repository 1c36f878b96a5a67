"""nbgrader settings for the course; only what differs from nbgrader's defaults."""

c = get_config()  # noqa: F821 -- injected by nbgrader when it loads this file

# The course id stored in the gradebook and in exported grades.
c.CourseDirectory.course_id = "rnn-from-scratch"

# `nbgrader generate_solution` writes the executed instructor solutions here.
c.CourseDirectory.solution_directory = "solutions"

# Seconds a single cell may run; hidden tests loop over several shapes and lesson 06 trains
# small models under grading, so the 30 s default is too tight on a busy 2-core machine.
c.Execute.timeout = 180

# No per-cell execution timestamps in executed notebooks, so that rebuilding solutions/ from an
# unchanged source/ changes nothing in git.
c.Execute.record_timing = False

# --- Autograding: every submission runs in the grading sandbox, checks in the judge ---------
# (rnncourse/engine/: sandbox.py, student_kernel.py, judge.py; docs/instructors.md, "Safe
# grading").
# JudgedExecute replaces nbgrader's Execute; StderrIsOutput replaces IgnorePattern: output
# on stderr never costs points, only an error does.
c.Autograde.autograde_preprocessors = [
    "rnncourse.engine.judged_execute.JudgedExecute",
    "rnncourse.engine.preprocessors.StderrIsOutput",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
# A pasted copy of a course cell loses its nbgrader metadata instead of stopping the class.
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "rnncourse.engine.preprocessors.DropDuplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "nbgrader.preprocessors.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]
# The limits per submission (memory, processes, file size, output, answers, time) are
# GradingLimits' defaults in rnncourse/engine/limits.py; set one here only to change it, e.g.
# c.GradingLimits.memory_limit = 8 * 2**30
# Without bubblewrap grading stops and says how to install it. Only for code you trust:
# c.GradingSandbox.run_student_code_unsandboxed = True

# `nbgrader autograde` checks that the sandbox can be made before it grades anyone.
if __import__("sys").argv[1:2] == ["autograde"]:
    from rnncourse.engine.sandbox import stop_autograde_without_sandbox

    stop_autograde_without_sandbox(c)

# The feedback students receive shows the visible part of each test, never the hidden one.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "rnncourse.engine.preprocessors.HideHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]

# ---------------------------------------------------------------------------------------------
# JupyterHub exchange: release_assignment, fetch_assignment, submit, collect, release_feedback,
# fetch_feedback. See docs/instructors.md, "Grading on a JupyterHub".
# ---------------------------------------------------------------------------------------------
# Nothing in this block is active. Where the exchange lives is a property of the hub, not of
# the course: set it in the hub's system-wide /etc/jupyter/nbgrader_config.py, which the
# instructor's and every student's server read, so that all of them agree on it.
#
# The exchange: one folder that every user's server sees (on a containerised hub, a volume
# mounted into every server), created once by an administrator with mode 0777 exactly:
# release_assignment tries to reset any other mode, and stops when it may not. In it nbgrader
# makes rnn-from-scratch/ with outbound/ (released notebooks, readable by all), inbound/
# (submissions, mode 2733: students can write there but not list it) and feedback/ (reports
# named by a hash of the submission, mode 0711: each student can fetch only their own).
# c.Exchange.root = "/srv/nbgrader/exchange"
#
# The course id (CourseDirectory.course_id, set at the top of this file) names the course in
# the exchange and in the gradebook. Students pick it in the Assignment List, or pass
# `--course rnn-from-scratch` to the command line tools. Do not change it once a class has
# submitted.
#
# The instructor's course folder (a clone of this repository), so that the formgrader and the
# nbgrader commands find it wherever Jupyter was started; set it in the instructor's own
# ~/.jupyter/nbgrader_config.py, not here:
# c.CourseDirectory.root = "/home/instructor/rnn-from-scratch"
#
# For students in several courses on one hub: fetch into ./rnn-from-scratch/01_simple_rnn
# instead of ./01_simple_rnn, so that two courses never share a folder (system-wide too, as
# fetch and submit must agree on it):
# c.Exchange.path_includes_course = True
