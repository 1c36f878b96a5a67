"""nbgrader's Execute step for autograding: student code in a sandbox, verdicts in the judge.

`nbgrader_config.py` puts `JudgedExecute` in place of nbgrader's `Execute` in
`Autograde.autograde_preprocessors`, so every notebook autograded in this course folder, by the
command line, the formgrader, the demo, the tests or `python -m rnncourse.grade`, runs this way:

* the student's kernel is `rnncourse/engine/student_kernel.py`, started through a kernel spec
  that wraps it in the bubblewrap sandbox of `rnncourse.engine.sandbox` (unless switched off on
  purpose). It runs the student's cells, the locked cells (marked with a secret token) and the
  probes;
* the judge (`rnncourse.engine.judge`, one per grading process) runs the locked cells too and every
  test cell, as the gradebook holds them: it builds the references, asks the kernel to run the
  test's probes on data it chooses, and decides. A test cell's outputs in the graded notebook
  are what the probes printed and the judge's verdict; nothing the kernel sends can pass a check;
* the notebook as a whole gets a time budget, each cell a byte budget for its output, each
  probe's answer a size limit;
* the submitted notebook's own cells are read (as text, never run here) for code that reaches
  into the interpreter or the grader, and the kernel reports which framework layers ran in each
  probe: a probe that ran a layer its task asks students to write themselves is flagged too.
  What is found is listed in the graded notebook's metadata for the instructor's report
  (`rnncourse.review`), not scored (unless `write_yourself_costs_points` names the
  assignment: then such a check fails).
"""

from __future__ import annotations

import os
import secrets
import time

from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_output
from nbgrader.preprocessors import Execute
from traitlets import List, Unicode

from . import frameworks, judge_client, layer_rules, review_flags, sandbox
from .channel import ANSWER_MIME, IMPORTS_ENV, MARKER, TOKEN_ENV, WATCH_ENV, probe_request
from .limits import GradingLimits
from .protocol import Answer, Begin, Check, End, Locked, ProbeCall, Verdict

# Seconds the judge may compute between two of its messages before it is taken for stuck.
JUDGE_TIMEOUT = 900


def _error(name: str, message: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=name, evalue=message,
                        traceback=[f"{name}: {message}"])


def _as_text(output: NotebookNode) -> NotebookNode:
    """An error output of the student's kernel, as text: only the judge's verdict fails a check."""
    text = "\n".join(output.get("traceback") or [f"{output.get('ename')}: {output.get('evalue')}"])
    return new_output("stream", name="stderr", text=text + "\n")


class JudgedExecute(Execute):
    """Execute a submission: student code in the sandboxed kernel, checks in the judge."""

    kernel_name = Unicode(sandbox.KERNEL_NAME, help="The grading kernel spec.").tag(config=True)
    judge_command = List(Unicode(), default_value=[], help=(
        "The command that starts the judge, as a list of arguments; empty (the default): "
        "`python -m rnncourse.engine.judge` with this Python. A wrapper around the judge (the "
        "test fixtures' recording judge, `python -m testing.judge_audit FILE`) goes here.")
    ).tag(config=True)
    write_yourself_costs_points = List(Unicode(), default_value=[], help=(
        "Assignments (\"*\": every one) in which a check whose probes ran a framework layer "
        "that the task asks students to write themselves (the source notebook's "
        "`rnncourse.write_yourself`) fails, costing its points. Elsewhere such use is only "
        "flagged for review.")
    ).tag(config=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.limits = GradingLimits(parent=self)
        self.box = sandbox.GradingSandbox(parent=self)

    # -- which cells are the course's ---------------------------------------------------
    def _course_cells(self, resources: dict) -> dict[str, tuple[str, str]]:
        """grade id -> (kind, source) of the notebook's locked and test cells, per gradebook."""
        from nbgrader.api import Gradebook

        info = resources.get("nbgrader", {})
        with Gradebook(info["db_url"]) as gb:
            notebook = gb.find_notebook(info["notebook"], info["assignment"])
            tests = {cell.name for cell in notebook.grade_cells if cell.cell_type == "code"}
            return {
                cell.name: ("test" if cell.name in tests else "locked", cell.source)
                for cell in notebook.source_cells
                if cell.cell_type == "code" and cell.locked
            }

    def _kind(self, cell: NotebookNode) -> str | None:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        course = self._course.get(gid) if gid else None
        if course is None or course[1] != cell.source:
            return None
        return course[0]

    def preprocess(self, nb, resources=None, km=None):
        self._token = secrets.token_hex(16)
        self._course = self._course_cells(resources or {})
        self._deadline = time.monotonic() + self.limits.notebook_time_limit
        self._cell_deadline: float | None = None
        self._out_of_time = False
        self._dead = False
        self._output_bytes: dict[int, int] = {}
        self._answers: dict[int, list[str]] = {}
        self._count = 0
        source = layer_rules.source_notebook(self.config, resources or {})
        self._watch = layer_rules.LayerWatch.of(source, resources,
                                                 self.write_yourself_costs_points)
        # The kernel and the judge load the heavy libraries of the course cells before the
        # first cell runs (the judge while the kernel starts).
        self._imports = frameworks.preloaded(sandbox.imported_packages(
            cell.source for cell in nb.cells
            if cell.cell_type == "code" and self._kind(cell) is not None))
        self._judge = judge_client.shared_judge(self.limits.max_answer_bytes,
                                                 self.judge_command or None)
        # The judge loads the lesson's libraries while the student's kernel starts; a judge
        # that cannot load them after what it loaded for earlier notebooks is replaced.
        self._judge.serves(self._imports)
        self._judge.post(Begin(self._imports))
        try:
            nb, resources = super().preprocess(nb, resources, km)
        finally:
            if self._judge.alive():
                self._judge.post(End())
        course_ids = {cell.metadata.nbgrader.grade_id for cell in nb.cells
                      if self._kind(cell) is not None}
        flags = review_flags.scan(nb, course_ids, layer_rules.lesson_rules(source))
        nb.metadata["rnncourse"] = {"review": flags + self._watch.flags}
        return nb, resources

    # -- the kernel ----------------------------------------------------------------------
    def create_kernel_manager(self):
        km = sandbox.kernel_manager(self.kernel_manager_class, self.box, self.limits,
                                    config=self.config)
        self.km = km
        self.kernel_name = km.kernel_name
        return km

    async def async_start_new_kernel(self, **kwargs):
        env = {**os.environ, TOKEN_ENV: self._token, IMPORTS_ENV: ",".join(self._imports),
               WATCH_ENV: self._watch.watched}
        kwargs["env"] = env
        return await super().async_start_new_kernel(**kwargs)

    # nbclient's synchronous wrapper is bound to the base class's coroutine: rebind it.
    start_new_kernel = run_sync(async_start_new_kernel)

    # -- cells ---------------------------------------------------------------------------
    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or not cell.source.strip():
            return cell, resources
        if self._out_of_time or time.monotonic() >= self._deadline:
            self._out_of_time = True
            cell.outputs = [_error("NotebookTimeLimit", (
                f"not run: the whole notebook may run for {self.limits.notebook_time_limit:g} s "
                "when it is graded, and that time was used up"))]
            return cell, resources
        if self._dead:
            cell.outputs = [_error("KernelStopped", (
                "not run: the kernel had stopped (it crashed, ran out of memory or was "
                "told to exit) while an earlier cell ran"))]
            return cell, resources
        kind = self._kind(cell)
        if kind == "test":
            return self._run_test(cell, resources, index)
        original = cell.source
        if kind == "locked":
            gid = cell.metadata.nbgrader.grade_id
            cell.source = f"{MARKER}{self._token}:locked:{gid}\n{original}"
        try:
            self._on_kernel(cell, resources, index)
        finally:
            cell.source = original
        if kind == "locked":
            self._judge.post(Locked(gid, original))
        self._count = max(self._count, cell.get("execution_count") or 0)
        return cell, resources

    def _on_kernel(self, cell, resources, index) -> bool:
        """Run `cell` in the student's kernel; False when the kernel stopped during it."""
        try:
            super().preprocess_cell(cell, resources, index)
            return True
        except DeadKernelError:
            self._dead = True
            cell.outputs.append(_error("KernelStopped", (
                "the kernel stopped while this cell ran: it crashed, ran out of memory "
                f"(limit {self.limits.memory_limit / 2**30:g} GiB) or was told to exit")))
        except CellTimeoutError:
            # Interrupted at its time limit, the cell still did not stop (it ignores
            # interrupts): stop the kernel, so the rest of the notebook cannot hang as well.
            self._dead = True
            run_sync(self.km.shutdown_kernel)(now=True)
            cell.outputs.append(_error("CellTimeoutError", (
                "this cell ran past its time limit and did not stop when interrupted, so the "
                "kernel was stopped")))
        return False

    # -- test cells: the judge decides ---------------------------------------------------
    def _run_test(self, cell, resources, index):
        gid = cell.metadata.nbgrader.grade_id
        outputs: list[NotebookNode] = []
        self._cell_deadline = time.monotonic() + (self.timeout or JUDGE_TIMEOUT)

        def on_probe(request: ProbeCall) -> Answer:
            if request.printed:
                outputs.append(new_output("stream", name="stdout", text=request.printed))
            try:
                return self._probe(request, gid, resources, index, outputs)
            finally:
                self.nb.cells[index] = cell  # nbclient puts the cell it ran in the notebook

        try:
            check = Check(gid, self._course[gid][1], self._watch.checks.get(gid, []),
                          self._watch.costs_points)
            verdict = self._judge.request(check, JUDGE_TIMEOUT, on_probe)
        finally:
            self._cell_deadline = None
        if not isinstance(verdict, Verdict):
            raise judge_client.JudgeUnavailable(f"the judge answered {verdict!r:.200} to a check")
        self._watch.found(gid, verdict.layers)
        if verdict.printed:
            outputs.append(new_output("stream", name="stdout", text=verdict.printed))
        if not verdict.passed:
            outputs.append(NotebookNode(
                output_type="error", ename=str(verdict.ename), evalue=str(verdict.evalue),
                traceback=[str(x) for x in verdict.traceback]))
        self._count += 1
        cell.outputs = outputs
        cell.execution_count = self._count
        return cell, resources

    def _probe(self, request: ProbeCall, gid: str, resources, index, outputs) -> Answer:
        """Run one probe call in the student's kernel; the judge gets its answer or why not."""
        if self._dead:
            return Answer(failure="the kernel had stopped (it crashed, ran out of memory or was "
                                  "told to exit), so your code could not be run")
        if time.monotonic() >= min(self._deadline, self._cell_deadline or self._deadline):
            return Answer(failure="no time was left for this check: the notebook or this cell "
                                  "used up its time limit")
        body = probe_request(request.function, request.arguments, request.source)
        call = new_code_cell(f"{MARKER}{self._token}:probe:{gid}\n{body}")
        self._answers[index] = []
        stopped = not self._on_kernel(call, resources, index)
        answers = self._answers.pop(index, [])
        timed_out = any(o.output_type == "error" and o.get("ename") == "CellTimeoutError"
                        for o in call.outputs)
        outputs += [_as_text(o) if o.output_type == "error" else o for o in call.outputs]
        if stopped or self._dead:
            return Answer(failure="the kernel stopped while your code ran (it crashed, ran out "
                                  "of memory or was told to exit)")
        if timed_out:
            return Answer(failure=f"your code ran past the time limit of {self.timeout} s "
                                  "for this check and was interrupted")
        if not answers:
            return Answer(failure="your kernel sent back no answer (was the kernel changed?)")
        if answers[-1] is None:
            return Answer(failure="your code returned more than the "
                                  f"{self.limits.max_answer_bytes:,} bytes a check may read")
        return Answer(answer=answers[-1])

    def _get_timeout(self, cell):
        timeout = super()._get_timeout(cell)
        end = min(self._deadline, self._cell_deadline or self._deadline)
        left = max(1, int(end - time.monotonic()) + 1)
        return left if timeout is None else min(timeout, left)

    def output(self, outs, msg, display_id, cell_index):
        """Keep at most `max_output_bytes` of what one cell shows; note what was cut.

        A probe's answer (a display of ANSWER_MIME) is taken aside, not shown.
        """
        content = msg.get("content", {})
        data = content.get("data", {}) if isinstance(content.get("data"), dict) else {}
        if ANSWER_MIME in data:
            answer = data[ANSWER_MIME]
            if cell_index in self._answers:
                fits = isinstance(answer, str) and len(answer) <= self.limits.max_answer_bytes
                self._answers[cell_index].append(answer if fits else None)
            return None
        limit = self.limits.max_output_bytes
        size = len(str(content.get("text", ""))) + sum(len(str(v)) for v in data.values())
        used = self._output_bytes.get(cell_index, 0)
        self._output_bytes[cell_index] = used + size
        if used > limit:
            return None
        if used + size > limit and msg["msg_type"] != "error":
            outs.append(NotebookNode(
                output_type="stream", name="stdout",
                text=f"\n[output cut: this cell showed more than {limit:,} bytes]\n"))
            self._output_bytes[cell_index] = limit + 1
            return None
        return super().output(outs, msg, display_id, cell_index)
