"""nbgrader's Execute step for autograding: the guarded kernel, in a sandbox, within limits.

`nbgrader_config.py` puts `GuardedExecute` in place of nbgrader's `Execute` in
`Autograde.autograde_preprocessors`, so every notebook autograded in this course folder, by the
command line, the formgrader, the demo, the tests or `python -m rnncourse.grade`, runs this way:

* the kernel is `rnncourse/kernel_guard.py`, started through a kernel spec that wraps it in the
  bubblewrap sandbox of `rnncourse.sandbox` (unless the sandbox is switched off on purpose);
* the cells of the instructor's notebook (locked cells and test cells, as the gradebook holds
  them) are marked with a secret token, so the kernel runs them out of students' reach;
* the notebook as a whole gets a time budget, and each cell a byte budget for its output.
"""

from __future__ import annotations

import os
import secrets
import time

from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Unicode

from . import sandbox
from .kernel_guard import IMPORTS_ENV, MARKER, TOKEN_ENV


def _error(name: str, message: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=name, evalue=message,
                        traceback=[f"{name}: {message}"])


class GuardedExecute(Execute):
    """Execute a submission with the guarded kernel inside the grading sandbox."""

    kernel_name = Unicode(sandbox.KERNEL_NAME, help="The grading kernel spec.").tag(config=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.limits = sandbox.GradingSandbox(parent=self)

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

    def preprocess(self, nb, resources=None, km=None):
        self._token = secrets.token_hex(16)
        self._course = self._course_cells(resources or {})
        self._deadline = time.monotonic() + self.limits.notebook_time_limit
        self._out_of_time = False
        self._dead = False
        self._output_bytes: dict[int, int] = {}
        self._imports = sandbox.imported_packages(
            cell.source for cell in nb.cells
            if cell.cell_type == "code" and self._kind(cell) is not None)
        return super().preprocess(nb, resources, km)

    def _kind(self, cell: NotebookNode) -> str | None:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        course = self._course.get(gid) if gid else None
        if course is None or course[1] != cell.source:
            return None
        return course[0]

    # -- the kernel ----------------------------------------------------------------------
    def create_kernel_manager(self):
        km = sandbox.kernel_manager(self.kernel_manager_class, self.limits, config=self.config)
        self.km = km
        self.kernel_name = km.kernel_name
        return km

    async def async_start_new_kernel(self, **kwargs):
        env = {**os.environ, TOKEN_ENV: self._token, IMPORTS_ENV: ",".join(self._imports)}
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
        original = cell.source
        if kind is not None:
            gid = cell.metadata.nbgrader.grade_id
            cell.source = f"{MARKER}{self._token}:{kind}:{gid}\n{original}"
        try:
            return super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self._dead = True
            cell.outputs.append(_error("KernelStopped", (
                "the kernel stopped while this cell ran: it crashed, ran out of memory "
                f"(limit {self.limits.memory_limit / 2**30:g} GiB) or was told to exit")))
            return cell, resources
        except CellTimeoutError:
            # Interrupted at its time limit, the cell still did not stop (it ignores
            # interrupts): stop the kernel, so the rest of the notebook cannot hang as well.
            self._dead = True
            run_sync(self.km.shutdown_kernel)(now=True)
            cell.outputs.append(_error("CellTimeoutError", (
                "this cell ran past its time limit and did not stop when interrupted, so the "
                "kernel was stopped")))
            return cell, resources
        finally:
            cell.source = original

    def _get_timeout(self, cell):
        timeout = super()._get_timeout(cell)
        left = max(1, int(self._deadline - time.monotonic()) + 1)
        return left if timeout is None else min(timeout, left)

    def output(self, outs, msg, display_id, cell_index):
        """Keep at most `max_output_bytes` of what one cell shows; note what was cut."""
        limit = self.limits.max_output_bytes
        content = msg.get("content", {})
        size = len(str(content.get("text", ""))) + sum(
            len(str(v)) for v in content.get("data", {}).values())
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
