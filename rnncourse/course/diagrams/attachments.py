"""The diagrams inside the lessons: markdown-cell attachments refreshed from the drawn files.

A markdown cell of a source notebook shows diagram NAME with `![alt text](attachment:NAME.svg)`.
`sync` gives that cell an attachment NAME.svg holding the drawn PNG and SVG, base64, and writes
the catalogue's alt text between the brackets. Both images, because JupyterLab shows the first
image type of an attachment and refuses an SVG one (nbformat writes the keys sorted, so the PNG
comes first in the file), while nbconvert, and so nbgrader's feedback, prefers the SVG. An
`attachment:` name ending in .svg must be a diagram of the catalogue; other attachments (a
pasted PNG) are left alone.

Colab shows no attachments: `for_colab` points a students' copy at the PNG files instead.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from pathlib import Path

from nbformat import NotebookNode

from ...engine.course_folder import assignments, notebook_path
from ...engine.notebooks import read_notebook, write_notebook
from .catalogue import DIAGRAMS, Diagram, files

REFERENCE = re.compile(r"!\[(?P<alt>[^\[\]\n]*)\]\(attachment:(?P<name>[^)\s]+\.svg)\)")
NAMED = re.compile(r"attachment:([^)\s]+\.svg)")


def bundle(svg: bytes, png: bytes) -> dict[str, str]:
    """An attachment holding both images, base64."""
    return {"image/png": base64.b64encode(png).decode("ascii"),
            "image/svg+xml": base64.b64encode(svg).decode("ascii")}


def drawn(diagram: Diagram, root: Path) -> dict[str, str]:
    """The attachment made of `diagram`'s files in `root`; a clear error when one is missing."""
    svg, png = files(diagram, root)
    missing = [p for p in (svg, png) if not p.is_file()]
    if missing:
        raise ValueError(f"{missing[0]}: no such file; draw the diagrams first with "
                         "`python -m rnncourse.course.diagrams`")
    return bundle(svg.read_bytes(), png.read_bytes())


def referenced(cell: NotebookNode, where: str) -> list[Diagram]:
    """The diagrams a markdown cell shows, in order; an unknown name is an error."""
    if cell.cell_type != "markdown":
        return []
    found = []
    matches = list(REFERENCE.finditer(cell.source))
    if len(matches) != len(NAMED.findall(cell.source)):
        unread = sorted(set(NAMED.findall(cell.source)) - {m["name"] for m in matches})
        raise ValueError(
            f"{where}: cannot read the image around `attachment:{(unread or ['?'])[0]}`: write "
            "it as ![alt text](attachment:NAME.svg) on one line, with no bracket in the alt text")
    for match in matches:
        diagram = DIAGRAMS.get(match["name"])
        if diagram is None:
            raise ValueError(
                f"{where}: `attachment:{match['name']}` names no diagram (known: "
                f"{', '.join(sorted(DIAGRAMS))}); draw it in "
                "rnncourse/course/diagrams/catalogue.py or fix the name")
        found.append(diagram)
    return found


def refresh(cell: NotebookNode, root: Path, where: str) -> bool:
    """Bring a markdown cell's diagrams and alt texts up to date; whether anything changed."""
    shown = referenced(cell, where)
    attached = dict(cell.get("attachments") or {})
    wanted = {name: data for name, data in attached.items() if name not in DIAGRAMS}
    wanted.update({d.attachment: drawn(d, root) for d in shown})
    source = REFERENCE.sub(
        lambda m: f"![{DIAGRAMS[m['name']].alt}](attachment:{m['name']})", cell.source)
    if source == cell.source and attached == wanted:
        return False
    cell.source = source
    if wanted:
        cell["attachments"] = wanted
    else:
        cell.pop("attachments", None)
    return True


def sync(root: Path, names: list[str] | None = None, write: bool = True,
         folder: str = "source") -> list[str]:
    """Refresh the diagrams in the notebooks of `folder`; the cells that were (or would be)
    changed, as "assignment: cell id"."""
    changed = []
    for name in names or assignments(root):
        path = notebook_path(folder, name, root)
        nb = read_notebook(path)
        touched = False
        for index, cell in enumerate(nb.cells):
            where = f"{path}, cell {cell.get('id', index)}"
            if refresh(cell, root, where):
                changed.append(f"{name}: cell {cell.get('id', index)}")
                touched = True
        if touched and write:
            write_notebook(nb, path)
    return changed


def shown_in(nb: NotebookNode, where: str = "notebook") -> list[Diagram]:
    """Every diagram a notebook shows, in order."""
    return [d for index, cell in enumerate(nb.cells)
            for d in referenced(cell, f"{where}, cell {cell.get('id', index)}")]


def for_colab(nb: NotebookNode, url: Callable[[Diagram], str]) -> list[Diagram]:
    """Point each diagram of `nb` at `url(diagram)` (its PNG where Colab can fetch it) in
    place of the attachment Colab does not show; the diagrams concerned."""
    used = []
    for cell in nb.cells:
        shown = referenced(cell, "students' copy")
        if not shown:
            continue
        cell.source = REFERENCE.sub(
            lambda m: f"![{m['alt']}]({url(DIAGRAMS[m['name']])})", cell.source)
        rest = {k: v for k, v in (cell.get("attachments") or {}).items() if k not in DIAGRAMS}
        if rest:
            cell["attachments"] = rest
        else:
            cell.pop("attachments", None)
        used += [d for d in shown if d not in used]
    return used
