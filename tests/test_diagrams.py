"""Do the lessons show the course's diagrams as they are drawn now, with their alt text, in every
copy that students and graders see: source/, release/, solutions/, the graded notebook and
the feedback page?"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from nbformat.v4 import new_markdown_cell

from rnncourse.course.diagrams.attachments import REFERENCE, bundle, refresh, shown_in, sync
from rnncourse.course.diagrams.catalogue import CATALOGUE, DIAGRAMS, FOLDER, files
from rnncourse.engine.course_folder import assignments, notebook_path
from rnncourse.engine.notebooks import read_notebook, write_notebook
from testing import REPO
from testing.plain_grader import PlainCourse

LESSONS = assignments(REPO)
FEEDBACK_LESSON = "04_torch_basic_rnn"  # the quickest lesson to grade


class Images(HTMLParser):
    """The (src, alt) of every <img> of a page."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.found.append((dict(attrs).get("src", ""), dict(attrs).get("alt", "")))


def diagram_cells(nb) -> list[tuple[str, dict]]:
    """(source, attachments) of every markdown cell that shows a diagram."""
    return [(cell.source, cell.get("attachments")) for cell in nb.cells
            if cell.cell_type == "markdown" and REFERENCE.search(cell.source)]


@pytest.mark.unit
@pytest.mark.parametrize("diagram", CATALOGUE, ids=lambda d: d.name)
def test_each_diagram_drawn_again_is_its_committed_file(diagram):
    """Does drawing a diagram now give exactly its SVG and PNG in docs/diagrams/, so that
    regenerating them changes nothing?"""
    svg, png = diagram.render()
    svg_file, png_file = files(diagram, REPO)
    assert svg_file.read_bytes() == svg, f"{svg_file} is stale: python -m rnncourse.course.diagrams"
    assert png_file.read_bytes() == png, f"{png_file} is stale: python -m rnncourse.course.diagrams"
    again = diagram.render()
    assert again == (svg, png), "two drawings of the same diagram differ"
    assert b"<dc:date>" not in svg and b"Matplotlib v" not in svg


@pytest.mark.unit
def test_the_diagrams_folder_holds_exactly_the_catalogue():
    """Is every file in docs/diagrams/ a drawing of the catalogue, so none is left over?"""
    expected = {p.name for d in CATALOGUE for p in files(d, REPO)}
    assert {p.name for p in (REPO / FOLDER).iterdir()} == expected


@pytest.mark.unit
@pytest.mark.parametrize("name", LESSONS)
def test_source_notebook_carries_the_drawn_files_and_the_alt_text(name):
    """Does every diagram a source notebook shows hold the committed PNG and SVG, and the
    catalogue's alt text?"""
    nb = read_notebook(notebook_path("source", name, REPO))
    for source, attachments in diagram_cells(nb):
        for match in REFERENCE.finditer(source):
            diagram = DIAGRAMS[match["name"]]
            svg, png = (p.read_bytes() for p in files(diagram, REPO))
            assert attachments[diagram.attachment] == bundle(svg, png), (
                f"source/{name}: {diagram.attachment} differs from {FOLDER}/: run "
                "python -m rnncourse.course.diagrams")
            assert match["alt"] == diagram.alt, f"source/{name}: alt text of {diagram.name}"
    assert sync(REPO, [name], write=False) == []


@pytest.mark.unit
@pytest.mark.parametrize("folder", ["release", "solutions"])
@pytest.mark.parametrize("name", LESSONS)
def test_release_and_solutions_carry_the_same_diagrams_as_the_source(folder, name):
    """Do the student and solution notebooks show each diagram exactly as source/ does?"""
    source = read_notebook(notebook_path("source", name, REPO))
    other = read_notebook(notebook_path(folder, name, REPO))
    assert diagram_cells(other) == diagram_cells(source), (
        f"{folder}/{name} shows other diagrams than source/: rebuild it")


@pytest.mark.unit
def test_every_lesson_shows_a_diagram_and_every_diagram_is_shown():
    """Has each lesson at least one diagram, and is each diagram of the catalogue used?"""
    shown = {name: shown_in(read_notebook(notebook_path("source", name, REPO)), name)
             for name in LESSONS}
    assert all(shown.values()), [name for name, found in shown.items() if not found]
    used = {d.name for found in shown.values() for d in found}
    assert used == {d.name for d in CATALOGUE}


@pytest.mark.unit
def test_the_png_comes_first_in_each_attachment_as_jupyterlab_needs():
    """Is the PNG the first image type of each attachment in the file (JupyterLab shows the
    first one and refuses an SVG)?"""
    for name, folder in ((n, f) for n in LESSONS for f in ("source", "release")):
        cells = json.loads(notebook_path(folder, name, REPO).read_text())["cells"]
        for cell in cells:
            for kinds in cell.get("attachments", {}).values():
                assert list(kinds) == ["image/png", "image/svg+xml"], name


@pytest.mark.unit
def test_alt_texts_say_in_words_what_each_diagram_shows():
    """Is every alt text a description of its own (several sentences' worth, one line, unique)?"""
    alts = [d.alt for d in CATALOGUE]
    assert len(set(alts)) == len(alts)
    for diagram in CATALOGUE:
        assert len(diagram.alt.split()) >= 30, diagram.name
        assert not set(diagram.alt) & set("]\n*`$"), diagram.name


@pytest.mark.unit
def test_a_stale_attachment_and_alt_text_are_refreshed():
    """Does `refresh` replace an outdated picture and alt text, and then find nothing to do?"""
    diagram = CATALOGUE[0]
    cell = new_markdown_cell(f"Look:\n\n![old words](attachment:{diagram.attachment})\n\nDone.")
    cell["attachments"] = {diagram.attachment: {"image/png": "b2xk"}}
    assert refresh(cell, REPO, "lesson.ipynb, cell c1")
    svg, png = (p.read_bytes() for p in files(diagram, REPO))
    assert cell.attachments == {diagram.attachment: bundle(svg, png)}
    assert cell.source == f"Look:\n\n![{diagram.alt}](attachment:{diagram.attachment})\n\nDone."
    assert not refresh(cell, REPO, "lesson.ipynb, cell c1")


@pytest.mark.unit
def test_a_diagram_that_does_not_exist_is_an_error_naming_the_cell():
    """Does naming an unknown diagram stop with the notebook, the cell and the known names?"""
    cell = new_markdown_cell("![a picture](attachment:no_such_diagram.svg)")
    with pytest.raises(ValueError, match=r"lesson\.ipynb, cell c7: `attachment:no_such_diagram"
                                         r"\.svg` names no diagram \(known: .*lstm_cell\.svg"):
        refresh(cell, REPO, "lesson.ipynb, cell c7")


@pytest.mark.unit
def test_an_image_markdown_that_cannot_be_read_is_an_error():
    """Does a diagram whose alt text holds a bracket stop with a message, rather than being
    passed over as if the cell showed nothing?"""
    cell = new_markdown_cell(f"![X[0:5] and more](attachment:{CATALOGUE[0].attachment})")
    with pytest.raises(ValueError, match=r"cell c3: cannot read the image around "
                                         r"`attachment:simple_rnn_unrolled\.svg`"):
        refresh(cell, REPO, "lesson.ipynb, cell c3")


@pytest.mark.unit
def test_a_pasted_image_is_left_alone():
    """Is an attachment that is not a diagram (a pasted PNG) kept as it is?"""
    cell = new_markdown_cell("![screenshot](attachment:image.png)")
    cell["attachments"] = {"image.png": {"image/png": "aW1n"}}
    assert not refresh(cell, REPO, "lesson.ipynb, cell c2")
    assert cell.attachments == {"image.png": {"image/png": "aW1n"}}


# Not in the fast tier: it redraws every diagram twice (about 15 s on a quiet machine).
def test_command_finds_a_difference_then_fixes_it(tmp_path):
    """Does `python -m rnncourse.course.diagrams --check` list a stale lesson and exit 1, and
    does the command without --check fix it?"""
    name = LESSONS[0]
    shutil.copytree(REPO / FOLDER, tmp_path / FOLDER)
    nb = read_notebook(notebook_path("source", name, REPO))
    cell = next(c for c in nb.cells if REFERENCE.search(c.source))
    cell.attachments = {k: {"image/png": "c3RhbGU="} for k in cell.attachments}
    write_notebook(nb, notebook_path("source", name, tmp_path))

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "rnncourse.course.diagrams", *args,
                               "--course", str(tmp_path)], capture_output=True, text=True,
                              timeout=300, cwd=REPO)

    done = run("--check")
    assert done.returncode == 1 and f"differs: {name}: cell {cell.id}" in done.stdout
    assert run().returncode == 0
    done = run("--check")
    assert done.returncode == 0 and done.stdout == "", done.stdout


@pytest.mark.unit
def test_make_release_redraws_the_diagrams_before_it_builds():
    """Does `make release` refresh the diagrams in source/ before nbgrader copies source/?"""
    recipe = (REPO / "Makefile").read_text().split("\nrelease:", 1)[1].split("\n\n", 1)[0]
    steps = [line.split("-m ", 1)[1].split()[0] for line in recipe.splitlines() if "-m " in line]
    assert steps.index("rnncourse.course.diagrams") < steps.index("rnncourse.course.build")


@pytest.mark.lesson(FEEDBACK_LESSON)
def test_nbgrader_keeps_the_diagrams_through_release_autograde_and_feedback(tmp_path):
    """Do generate_assignment, autograde and generate_feedback keep every diagram, so that the
    student's feedback page shows each one (as an inline SVG) with its alt text?"""
    name = FEEDBACK_LESSON
    course = PlainCourse.scratch(tmp_path / "course", [name])
    expected = diagram_cells(read_notebook(notebook_path("source", name, REPO)))
    release = course.generate(name)
    assert diagram_cells(release) == expected
    course.submit(name, "unchanged", release)
    assert course.autograde(name) == {}
    graded = read_notebook(notebook_path("autograded", name, course.path, "unchanged"))
    assert diagram_cells(graded) == expected
    subprocess.run([sys.executable, "-m", "nbgrader", "generate_feedback", name, "--force"],
                   cwd=course.path, capture_output=True, check=True, timeout=600)
    page = (course.path / "feedback" / "unchanged" / name / f"{name}.html").read_text()
    images = Images(page).found
    for diagram in shown_in(release, name):
        svg = base64.b64encode(files(diagram, REPO)[0].read_bytes()).decode("ascii")
        assert (f"data:image/svg+xml;base64,{svg}", diagram.alt) in images, diagram.name
