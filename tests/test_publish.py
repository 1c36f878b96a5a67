"""Does the students' copy hold what students need, and nothing an instructor must keep back?"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from rnncourse.course.diagrams.attachments import REFERENCE, shown_in
from rnncourse.course.diagrams.catalogue import files as diagram_files
from rnncourse.course.publish import MANIFEST, PublishError, publish, readme_lessons
from rnncourse.course.submissions import perfect_submission
from rnncourse.engine.course_folder import assignments, notebook_path
from rnncourse.engine.notebooks import (
    HIDDEN_BEGIN,
    HIDDEN_END,
    SOLUTION_BEGIN,
    SOLUTION_END,
    read_notebook,
)
from testing import REPO
from testing.plain_grader import PlainCourse

from .helpers import hidden_lines

URL = "https://github.com/example-org/rnn-course-students"
COLAB = "https://colab.research.google.com/github/example-org/rnn-course-students/blob/main/"
BADGE = re.compile(r"\[!\[Open In Colab\]\([^)\s]+\)\]\(([^)\s]+)\)")
ANY_COLAB_NOTEBOOK = re.compile(r"https://colab\.research\.google\.com/github/[^)\s\"]+")
LESSONS = assignments(REPO)
RAW = "https://raw.githubusercontent.com/example-org/rnn-course-students/main/"
PICTURE = re.compile(r"!\[(?P<alt>[^\]\n]*)\]\((?P<url>[^)\s]+)\)")


def release_diagrams() -> dict[str, list]:
    """Each lesson's diagrams, as release/ shows them."""
    return {name: shown_in(read_notebook(notebook_path("release", name, REPO)), name)
            for name in LESSONS}


@pytest.fixture(scope="module")
def copy(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("students") / "copy"
    publish(dest, URL, REPO)
    return dest


def published_notebook(name: str) -> str:
    return f"lessons/{name}/{name}.ipynb"


def files_in(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if not p.is_dir()}


def instructor_only_lines(name: str) -> set[str]:
    """Distinctive lines between the solution and hidden-test markers of the source notebook."""
    return hidden_lines(read_notebook(notebook_path("source", name, REPO)))


@pytest.mark.unit
def test_copy_holds_only_allowed_files(copy):
    """Is every file in the copy on the allow-list, and every allowed file there?"""
    allowed = {"README.md", "LICENSE", MANIFEST} | {published_notebook(n) for n in LESSONS}
    allowed |= {f"diagrams/{d.name}.png" for found in release_diagrams().values() for d in found}
    assert files_in(copy) == allowed
    listed = json.loads((copy / MANIFEST).read_text())["files"]
    assert set(listed) == allowed


@pytest.mark.unit
@pytest.mark.parametrize("name", LESSONS)
def test_copy_shows_no_solution_or_hidden_test(copy, name):
    """Does no file of the copy show a solution, a hidden test or an executed output?"""
    nb = read_notebook(copy / published_notebook(name))
    texts = {path: (copy / path).read_text(encoding="utf-8") for path in files_in(copy)
             if not path.endswith(".png")}  # the diagrams' PNGs, drawn from docs/diagrams
    # Another lesson's notebook may show, as its own given code, a line this lesson asks
    # students to write (lesson 09's decoder builds an embedding as lesson 08's model does):
    # that is its lesson, not a leak; this lesson's lines are looked for everywhere else.
    others = {published_notebook(other) for other in LESSONS if other != name}
    for path, text in texts.items():
        for marker in (SOLUTION_BEGIN, SOLUTION_END, HIDDEN_BEGIN, HIDDEN_END):
            assert marker not in text, f"{path} shows {marker!r}"
        if path in others:
            continue
        leaked = {line for line in instructor_only_lines(name) if line in text}
        assert not leaked, f"{path} shows instructor-only lines of {name}: {sorted(leaked)[:3]}"
    assert not any(cell.get("outputs") for cell in nb.cells), "published notebooks keep no outputs"


@pytest.mark.unit
@pytest.mark.parametrize("name", LESSONS)
def test_notebook_is_the_release_with_a_badge_first(copy, name):
    """Are the code cells exactly release/'s, behind one markdown cell with the Colab badge?"""
    ours = read_notebook(copy / published_notebook(name))
    release = read_notebook(notebook_path("release", name, REPO))

    def view(cells):
        def diagram(m: re.Match) -> str:  # an attachment (release) or a PNG (the copy)
            shown = m["url"].startswith((RAW, "attachment:"))
            return f"![{m['alt']}](a diagram)" if shown else m[0]

        return [(c.cell_type, PICTURE.sub(diagram, c.source), c.get("metadata", {}))
                for c in cells]

    code = [c for c in ours.cells if c.cell_type == "code"]
    assert view(code) == view(c for c in release.cells if c.cell_type == "code")
    first, rest = ours.cells[0], ours.cells[1:]
    assert first.cell_type == "markdown" and "Open In Colab" in first.source
    assert view(rest) == view(release.cells)


@pytest.mark.unit
@pytest.mark.parametrize("name", LESSONS)
def test_each_diagram_shows_in_colab_from_its_png_in_the_public_repository(copy, name):
    """Does the copy show every diagram of release/ from its PNG's raw GitHub address (Colab
    shows no attachments), with the same alt text, the PNG beside the lessons, and no
    attachment left over?"""
    nb = read_notebook(copy / published_notebook(name))
    pictures = [m for cell in nb.cells if cell.cell_type == "markdown"
                for m in PICTURE.finditer(cell.source)]
    expected = release_diagrams()[name]
    assert expected, f"release/{name} shows no diagram"
    assert [(m["alt"], m["url"]) for m in pictures if m["url"].startswith(RAW)] == [
        (d.alt, f"{RAW}diagrams/{d.name}.png") for d in expected]
    for diagram in expected:
        png = (copy / "diagrams" / f"{diagram.name}.png").read_bytes()
        assert png == diagram_files(diagram, REPO)[1].read_bytes()
    assert not any(cell.get("attachments") for cell in nb.cells)
    assert not any(REFERENCE.search(cell.source) for cell in nb.cells)


def badge_links(text: str) -> list[str]:
    """The targets of the Open-in-Colab badges in `text`; no Colab link may stand outside one."""
    links = BADGE.findall(text)
    assert ANY_COLAB_NOTEBOOK.findall(text) == links, "a Colab link outside a badge"
    return links


@pytest.mark.unit
def test_every_badge_opens_a_notebook_of_the_copy(copy):
    """Does every Colab link (README and notebooks) point at a notebook that exists in the copy?"""
    readme_links = badge_links((copy / "README.md").read_text())
    assert len(readme_links) == len(LESSONS)
    links = list(readme_links)
    for name in LESSONS:
        first = read_notebook(copy / published_notebook(name)).cells[0].source
        own = badge_links(first)
        assert own == [COLAB + published_notebook(name)], f"{name} badge: {own}"
        links += own
    for link in links:
        assert link.startswith(COLAB), link
        target = link.removeprefix(COLAB)
        assert target.endswith(".ipynb") and (copy / target).is_file(), link


@pytest.mark.unit
def test_readme_describes_each_lesson_and_how_to_hand_in(copy):
    """Does the students' README list the course README's lessons with what each teaches?"""
    readme = (copy / "README.md").read_text()
    _, lessons = readme_lessons(REPO)
    assert [les.name for les in lessons] == LESSONS
    for les in lessons:
        assert f"[{les.name}]({published_notebook(les.name)})" in readme
        assert les.what in readme
    assert "## Handing in" in readme and "Download .ipynb" in readme and "Submit" in readme
    for private in ("source/", "solutions/", "tests/", "rnncourse", "nbgrader_config"):
        assert private not in readme, f"the students' README mentions {private}"


@pytest.mark.unit
def test_licence_is_cc_by_and_links_the_official_text(copy):
    """Is the lesson content under CC BY 4.0, said in both READMEs, with the official link?"""
    licence = (copy / "LICENSE").read_text()
    assert licence == (REPO / "LICENSE").read_text()
    assert "CC BY 4.0" in licence
    assert "https://creativecommons.org/licenses/by/4.0/legalcode" in licence
    assert "CC BY 4.0" in (copy / "README.md").read_text()
    assert "CC BY 4.0" in (REPO / "README.md").read_text()


@pytest.mark.unit
@pytest.mark.parametrize(
    "url",
    ["https://gitlab.com/example-org/rnn", "git@github.com:example-org/rnn.git",
     "http://github.com/example-org/rnn", "https://github.com/example-org",
     "https://github.com/example-org/rnn/tree/main", "github.com/example-org/rnn"],
)
def test_url_other_than_a_github_repository_is_refused(tmp_path, url):
    with pytest.raises(PublishError, match="https://github.com/OWNER/REPO"):
        publish(tmp_path / "copy", url, REPO)
    assert not (tmp_path / "copy").exists()


@pytest.mark.unit
def test_github_url_variants_and_branch(tmp_path):
    """Are .git and a trailing slash accepted, and does --branch reach every badge?"""
    publish(tmp_path / "copy", URL + ".git/", REPO, branch="spring-2025")
    readme = (tmp_path / "copy" / "README.md").read_text()
    prefix = COLAB.replace("/blob/main/", "/blob/spring-2025/")
    assert badge_links(readme) and all(link.startswith(prefix) for link in badge_links(readme))


@pytest.mark.unit
@pytest.mark.parametrize("inside", [".", "release", "published/students"])
def test_destination_inside_the_course_is_refused(inside):
    dest = REPO / inside
    with pytest.raises(PublishError, match=f"{re.escape(str(dest.resolve()))} is inside"):
        publish(dest, URL, REPO, force=True)
    assert not (REPO / "published").exists()


@pytest.mark.unit
def test_destination_that_is_not_empty_is_refused_and_left_alone(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(PublishError, match=f"{re.escape(str(tmp_path))} is not empty"):
        publish(tmp_path, URL, REPO)
    with pytest.raises(PublishError, match="not an earlier students' copy"):
        publish(tmp_path, URL, REPO, force=True)
    assert files_in(tmp_path) == {"notes.txt"}


@pytest.mark.unit
def test_force_replaces_only_an_earlier_copy(tmp_path):
    """Does --force replace an earlier copy, keep a .git clone and refuse files it did not write?"""
    dest = tmp_path / "clone"
    (dest / ".git").mkdir(parents=True)
    (dest / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    publish(dest, URL, REPO)  # a folder holding only a clone's .git counts as empty
    (dest / "LICENSE").write_text("stale")
    publish(dest, URL, REPO, force=True)
    assert (dest / "LICENSE").read_text() == (REPO / "LICENSE").read_text()
    assert (dest / ".git" / "HEAD").is_file()
    (dest / "lessons" / "answers.py").write_text("print('mine')")
    with pytest.raises(PublishError, match=r"lessons/answers\.py"):
        publish(dest, URL, REPO, force=True)
    assert (dest / "lessons" / "answers.py").is_file() and (dest / "README.md").is_file()


@pytest.mark.unit
def test_command_line_and_make_target_explain_what_is_missing(tmp_path):
    """Do `python -m rnncourse.course.publish` and `make publish` fail with a clear message?"""
    cmd = [sys.executable, "-m", "rnncourse.course.publish", str(tmp_path / "c"),
           "--repo-url", "https://example.org/rnn"]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=120)
    assert done.returncode == 2 and "https://github.com/OWNER/REPO" in done.stderr
    make = ["make", "-s", "-o", ".venv/.installed", "publish"]
    done = subprocess.run(make, capture_output=True, text=True, cwd=REPO, timeout=120)
    assert done.returncode != 0 and "give DEST" in done.stderr
    done = subprocess.run([*make, f"DEST={tmp_path / 'c'}"], capture_output=True, text=True,
                          cwd=REPO, timeout=120)
    assert done.returncode != 0 and "give URL" in done.stderr
    assert not (tmp_path / "c").exists()


def test_notebook_from_the_copy_grades_like_the_release(tmp_path, copy):
    """Does a perfect submission started from the copy (badge cell and all) get full marks?"""
    name = LESSONS[0]
    course = PlainCourse.scratch(tmp_path / "course", [name])
    course.generate(name)
    source = read_notebook(notebook_path("source", name, REPO))
    published = read_notebook(copy / published_notebook(name))
    course.submit(name, "from_colab", perfect_submission(source, published))
    assert course.autograde(name) == {}
    scores = course.scores(name)["from_colab"]
    assert scores and all(cell.passed for cell in scores.values()), scores
