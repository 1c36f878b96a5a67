"""Copy the lessons' shared helpers into the source notebooks (d2l's `#@save`, for a course).

    python -m rnncourse.course.shared_cells            rewrite every copy in source/
    python -m rnncourse.course.shared_cells --check    list the copies that differ; exit 1 if any

A helper is written once, as a block between `#@save NAME` and `#@end` in one of `SOURCES`.
A locked cell of a lesson says which blocks it holds with a region

    #@shared probe check_shape random_inputs
    ...
    #@end shared

and everything between the two marker lines is the blocks' text, in that order, generated.
`make release` runs this first; tests/test_integrity_rules.py checks that every copy matches.

Helper cells are kept out of sight of a first read. A code cell that opens with a line
`#@title What it does` is folded: Colab shows such a cell as a form, its title alone, and
JupyterLab, Notebook 7 and VS Code collapse a cell whose metadata hides its source; this step
writes both settings. A cell with shared helpers must open with such a title.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from ..engine.course_folder import add_course_option, assignments, notebook_path
from ..engine.notebooks import NotebookError, read_notebook, write_notebook

HERE = Path(__file__).resolve().parent
SOURCES = (HERE.parent / "engine" / "plain_data.py", HERE / "lesson_helpers.py",
           HERE / "lesson_helpers_torch.py", HERE / "lesson_setup.py")
BEGIN = "#@shared"
END = "#@end shared"
SAVE = re.compile(r"^#@save (\S+)\s*$")
TITLE = "#@title "
# Colab shows a titled cell as a form (its code hidden); Jupyter's front ends hide its source.
FOLDED = {"cellView": "form", "jupyter": {"source_hidden": True}}


def blocks(sources=SOURCES) -> dict[str, str]:
    """Every `#@save` block of the helper files, by name (its text, without the markers)."""
    found: dict[str, str] = {}
    for path in sources:
        name, lines = None, []
        for line in Path(path).read_text().splitlines():
            match = SAVE.match(line)
            if match:
                name, lines = match.group(1), []
            elif line.strip() == "#@end" and name is not None:
                if name in found:
                    raise ValueError(f"{path}: a second block named {name!r}")
                found[name] = "\n".join(lines).strip("\n")
                name = None
            elif name is not None:
                lines.append(line)
    return found


def expand(source: str, known: dict[str, str], where: str = "cell") -> str:
    """`source` with each `#@shared` region's body regenerated from the blocks it names."""
    out: list[str] = []
    lines = source.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        out.append(line)
        i += 1
        if not line.startswith(BEGIN + " ") and line != BEGIN:
            continue
        names = line[len(BEGIN):].split()
        unknown = [n for n in names if n not in known]
        if unknown:
            raise ValueError(f"{where}: no shared helper {', '.join(unknown)} "
                             f"(known: {', '.join(sorted(known))})")
        end = next((j for j in range(i, len(lines)) if lines[j] == END), None)
        if end is None:
            raise ValueError(f"{where}: '{line}' has no '{END}' line after it")
        out.append("\n\n\n".join(known[n] for n in names))
        out.append(END)
        i = end + 1
    return "\n".join(out)


def is_folded(cell) -> bool:
    """Does the cell open with a title and carry the metadata that folds it?"""
    return cell.source.startswith(TITLE) and all(
        cell.metadata.get(key) == value for key, value in FOLDED.items())


def fold(cell, where: str) -> bool:
    """Give a titled code cell the metadata that folds it; whether that changed the cell. A cell
    of shared helpers without a title is an error."""
    titled = cell.source.startswith(TITLE)
    if BEGIN in cell.source and not titled:
        raise ValueError(f"{where}: a cell of shared helpers should open with a line "
                         f"'{TITLE}<what the cell does>', so that it shows folded")
    if not titled or is_folded(cell):
        return False
    cell.metadata.update(FOLDED)
    return True


def sync(root: Path, names: list[str] | None = None, write: bool = True) -> list[str]:
    """Regenerate the shared regions of the source notebooks and fold their titled cells; the
    cells that changed."""
    known = blocks()
    changed = []
    for name in names or assignments(root):
        path = notebook_path("source", name, root)
        nb = read_notebook(path)
        touched = False
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", f"cell {index}")
            where = f"{path}, {gid}"
            new = expand(cell.source, known, where) if BEGIN in cell.source else cell.source
            if fold(cell, where) | (new != cell.source):  # both run: fold writes the metadata
                changed.append(f"{name}: {gid}")
                cell.source, touched = new, True
        if touched and write:
            write_notebook(nb, path)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; list differences")
    parser.add_argument("assignments", nargs="*")
    add_course_option(parser)
    args = parser.parse_args(argv)
    try:
        changed = sync(args.course, args.assignments or None, write=not args.check)
    except (ValueError, NotebookError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    for line in changed:
        print(("differs: " if args.check else "rewrote: ") + line)
    return 1 if (args.check and changed) else 0


if __name__ == "__main__":
    sys.exit(main())
