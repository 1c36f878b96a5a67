"""Write the students' copy of the course, for a public repository that students open in Colab.

    python -m rnncourse.course.publish DEST --repo-url https://github.com/OWNER/REPO [--branch main]

The copy holds a students' README (the lessons, what each teaches, how to open each in Colab
and how to hand it in), the release/ notebooks, each with an "Open in Colab" badge as its
first cell, the PNG of each diagram they show, and the LICENSE. Nothing else: source/ and
solutions/ hold the solutions and the hidden tests, and the tooling is of no use to students.
Colab shows no markdown attachments, so the copy's notebooks show each diagram from its PNG
in the public repository (`diagrams/NAME.png`, by its raw.githubusercontent.com address)
instead of from the attachment release/ carries.

DEST must be outside the course repository and empty (a folder holding only a `.git` clone
counts as empty). `--force` replaces an earlier students' copy in DEST: it deletes exactly the
files the manifest of that copy lists, and refuses when DEST holds anything else.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import sys
from pathlib import Path

from nbformat import NotebookNode
from nbformat.v4 import new_markdown_cell

from ..engine.course_folder import add_course_option, assignments, notebook_path
from ..engine.notebooks import (
    HIDDEN_BEGIN,
    SOLUTION_BEGIN,
    NotebookError,
    read_notebook,
    write_notebook,
)
from .diagrams.attachments import for_colab
from .diagrams.catalogue import Diagram
from .diagrams.catalogue import files as diagram_files
from .public_repo import BADGE_CELL_ID, DIAGRAMS_DIR, Lesson, PublishError, Repository
from .publish_readme import students_readme

MANIFEST = ".students-copy.json"
KEEP = {".git"}  # a clone of the public repository may already be in DEST
TABLE_ROW = re.compile(
    r"^\|\s*\[(?P<name>[^\]]+)\]\([^)]*\)\s*\|\s*(?P<what>.+?)\s*\|\s*(?P<points>[^|]+?)\s*\|$"
)


def readme_lessons(root: Path) -> tuple[str, list[Lesson]]:
    """The course title and the lessons listed in the table under the README's "## Lessons"."""
    readme = root / "README.md"
    lines = readme.read_text(encoding="utf-8").splitlines()
    title = next((ln[2:].strip() for ln in lines if ln.startswith("# ")), "")
    lessons, inside = [], False
    for line in lines:
        if line.startswith("## "):
            inside = line.strip() == "## Lessons"
        elif inside and (match := TABLE_ROW.match(line.strip())):
            lessons.append(Lesson(match["name"], match["what"], match["points"]))
    if not title or not lessons:
        raise PublishError(f"{readme}: no title or no lesson table under '## Lessons'")
    return title, lessons


def course_lessons(root: Path) -> tuple[str, list[Lesson]]:
    """The README's lessons, checked against the assignments under source/ and release/."""
    title, lessons = readme_lessons(root)
    listed = [lesson.name for lesson in lessons]
    known = assignments(root)
    if sorted(listed) != sorted(known):
        raise PublishError(
            f"{root / 'README.md'}: the lesson table lists {', '.join(listed)} but source/ "
            f"holds {', '.join(known)}; make them agree before publishing"
        )
    for name in known:
        path = notebook_path("release", name, root)
        if not path.is_file():
            raise PublishError(f"{path}: no student version; run `make release` first")
    return title, lessons


def with_badge(release: NotebookNode, badge: str) -> NotebookNode:
    """A copy of the release notebook that opens with a markdown cell holding the badge."""
    nb = copy.deepcopy(release)
    cell = new_markdown_cell(badge)
    cell["id"] = BADGE_CELL_ID
    nb.cells.insert(0, cell)
    return nb


def check_release(path: Path, nb: NotebookNode) -> None:
    """Refuse a student notebook that shows instructor-only material."""
    for cell in nb.cells:
        for marker in (SOLUTION_BEGIN, HIDDEN_BEGIN):
            if marker in cell.source:
                raise PublishError(f"{path}: contains {marker!r}; run `make release` first")


def colab_pictures(nb: NotebookNode, repo: Repository, root: Path) -> dict[str, bytes]:
    """Point the diagrams of `nb` at their PNGs in the public repository; those PNGs, by
    their path in the copy."""
    def where(diagram: Diagram) -> str:
        return f"{DIAGRAMS_DIR}/{diagram.name}.png"

    pictures = {}
    for diagram in for_colab(nb, lambda d: repo.raw_url(where(d))):
        png = diagram_files(diagram, root)[1]
        if not png.is_file():
            raise PublishError(f"{png}: no such file; draw the diagrams with "
                               "`python -m rnncourse.course.diagrams` and rebuild release/")
        pictures[where(diagram)] = png.read_bytes()
    return pictures


def _entries(dest: Path) -> list[str]:
    """Every file (and symbolic link) under `dest` except those in KEEP, relative, sorted."""
    found = []
    for dirpath, dirnames, filenames in os.walk(dest):
        here = Path(dirpath)
        if here == dest:
            dirnames[:] = [d for d in dirnames if d not in KEEP]
            filenames = [f for f in filenames if f not in KEEP]
        links = [d for d in dirnames if (here / d).is_symlink()]
        dirnames[:] = [d for d in dirnames if d not in links]
        found += [(here / f).relative_to(dest).as_posix() for f in [*filenames, *links]]
    return sorted(found)


def previous_copy(dest: Path, force: bool, root: Path) -> list[str]:
    """Check that the copy may be written to `dest`; return the earlier copy's files to delete."""
    dest, root = dest.resolve(), root.resolve()
    if dest == root or root in dest.parents:
        raise PublishError(
            f"{dest} is inside the course repository {root}: the students' copy must go to a "
            "folder of its own, outside it (for example a clone of the public repository)"
        )
    if dest.exists() and not dest.is_dir():
        raise PublishError(f"{dest} exists and is not a folder")
    present = _entries(dest) if dest.is_dir() else []
    if not present:
        return []
    if not force:
        raise PublishError(
            f"{dest} is not empty (it holds {present[0]}"
            f"{f' and {len(present) - 1} more' if len(present) > 1 else ''}): choose an empty "
            "folder, or pass --force to replace an earlier students' copy there"
        )
    manifest = dest / MANIFEST
    try:
        listed = set(json.loads(manifest.read_text(encoding="utf-8"))["files"])
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise PublishError(
            f"{dest} is not an earlier students' copy ({manifest} is missing or unreadable), "
            "so --force will not clear it: choose an empty folder"
        ) from err
    unknown = [p for p in present if p not in listed | {MANIFEST}]
    if unknown:
        raise PublishError(
            f"{dest} holds files that no earlier publish wrote ({', '.join(unknown[:5])}"
            f"{', ...' if len(unknown) > 5 else ''}): --force only replaces an earlier "
            "students' copy; move them away or choose another folder"
        )
    return present


def clear(dest: Path, files: list[str]) -> None:
    """Delete an earlier copy's files, then the folders they leave empty."""
    for rel in files:
        (dest / rel).unlink()
    for rel in sorted({p for f in files for p in Path(f).parents if p != Path(".")},
                      key=lambda p: len(p.parts), reverse=True):
        folder = dest / rel
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


def publish(
    dest: Path, repo_url: str, root: Path, branch: str = "main", force: bool = False
) -> list[str]:
    """Write the students' copy to `dest`; return the paths written, relative to it."""
    dest = Path(dest)
    repo = Repository.from_url(repo_url, branch)
    title, lessons = course_lessons(root)
    earlier = previous_copy(dest, force, root)
    notebooks, pictures = {}, {}
    for les in lessons:
        path = notebook_path("release", les.name, root)
        try:
            release = read_notebook(path)
            check_release(path, release)
            notebooks[les.path] = with_badge(release, repo.badge(les.path))
            pictures.update(colab_pictures(notebooks[les.path], repo, root))
        except (NotebookError, ValueError) as err:
            raise PublishError(str(err)) from err

    clear(dest, earlier)
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for rel, nb in notebooks.items():
        write_notebook(nb, dest / rel)
        written.append(rel)
    for rel, png in sorted(pictures.items()):
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        (dest / rel).write_bytes(png)
        written.append(rel)
    (dest / "README.md").write_text(students_readme(title, lessons, repo), encoding="utf-8")
    (dest / "LICENSE").write_text((root / "LICENSE").read_text(encoding="utf-8"),
                                  encoding="utf-8")
    written += ["README.md", "LICENSE", MANIFEST]
    manifest = {
        "about": "the students' copy of the course; `rnncourse.course.publish --force` replaces "
                 "exactly these files",
        "repository": f"https://github.com/{repo.owner}/{repo.name}",
        "branch": repo.branch,
        "files": sorted(written),
    }
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return sorted(written)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path, help="folder to write the copy to, outside the course")
    parser.add_argument("--repo-url", required=True,
                        help="the public repository, https://github.com/OWNER/REPO")
    parser.add_argument("--branch", default="main", help="branch Colab opens (default: main)")
    parser.add_argument("--force", action="store_true",
                        help="replace an earlier students' copy in DEST")
    add_course_option(parser)
    args = parser.parse_args(argv)
    try:
        written = publish(args.dest, args.repo_url, args.course, args.branch, args.force)
    except PublishError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"Students' copy written to {args.dest.resolve()} ({len(written)} files):")
    for rel in written:
        print(f"  {rel}")
    print("Commit and push it to the public repository; the Colab badges open its "
          f"{args.branch!r} branch.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
