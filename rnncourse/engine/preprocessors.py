"""Small nbgrader preprocessors the course's autograde and feedback steps add.

* `StderrIsOutput`: what a test cell printed on stderr (debug prints, warnings, log records,
  progress bars) stays in the graded notebook and the feedback, but as ordinary output, so
  that only an error (a failed check, an exception) costs the cell its points. nbgrader itself
  zeroes any test cell with stderr output.
* `HideHiddenTests`: the feedback a student receives shows each test cell's visible part and a
  note where the hidden checks are, never their source.
* `DropDuplicateIds`: nbgrader's DeduplicateIds, except that a duplicated cell (a test cell
  pasted twice, say) loses its nbgrader metadata altogether. nbgrader leaves an empty
  `nbgrader` entry instead, which it then takes for an old metadata format and stops grading
  the whole class.
"""

from __future__ import annotations

from nbgrader.preprocessors import DeduplicateIds, NbGraderPreprocessor
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


class DropDuplicateIds(DeduplicateIds):
    """Keep the last cell of each grade id (as nbgrader does); others become plain cells."""

    def preprocess_cell(self, cell, resources, index):
        cell, resources = super().preprocess_cell(cell, resources, index)
        if cell.get("metadata", {}).get("nbgrader", None) == {}:
            del cell.metadata["nbgrader"]
        return cell, resources
