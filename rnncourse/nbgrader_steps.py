"""Small nbgrader preprocessors the course's autograde and feedback steps add.

* `StderrIsOutput`: what a test cell printed on stderr (debug prints, warnings, log records,
  progress bars) stays in the graded notebook and the feedback, but as ordinary output, so
  that only an error (a failed check, an exception) costs the cell its points. nbgrader itself
  zeroes any test cell with stderr output.
* `HideHiddenTests`: the feedback a student receives shows each test cell's visible part and a
  note where the hidden checks are, never their source.
"""

from __future__ import annotations

from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.utils import is_grade

from .notebooks import HIDDEN_BEGIN, HIDDEN_END

HIDDEN_NOTE = "# (hidden checks run here when the notebook is graded; they are not shown)"


class StderrIsOutput(NbGraderPreprocessor):
    """Turn a test cell's stderr output into stdout output, labelled, before scoring."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and is_grade(cell):
            for output in cell.get("outputs", []):
                if output.output_type == "stream" and output.name == "stderr":
                    output.name = "stdout"
        return cell, resources


def without_hidden_tests(source: str) -> str:
    """The source with every hidden block replaced by one note line."""
    kept, inside = [], False
    for line in source.splitlines():
        marker = line.strip()
        if marker == HIDDEN_BEGIN:
            inside = True
            kept.append(line[: len(line) - len(line.lstrip())] + HIDDEN_NOTE)
        elif marker == HIDDEN_END:
            inside = False
        elif not inside:
            kept.append(line)
    return "\n".join(kept)


class HideHiddenTests(NbGraderPreprocessor):
    """Remove the hidden part of every test cell from the feedback."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and HIDDEN_BEGIN in cell.source:
            cell.source = without_hidden_tests(cell.source)
        return cell, resources
