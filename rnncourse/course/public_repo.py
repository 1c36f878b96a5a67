"""The public repository a students' copy is pushed to, and the lessons it holds: what the
publishing step (rnncourse.course.publish) writes and the students' README
(rnncourse.course.publish_readme) shows."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

LESSONS_DIR = "lessons"
DIAGRAMS_DIR = "diagrams"  # the lessons' pictures, as PNG files Colab fetches from GitHub
RAW = "https://raw.githubusercontent.com"
BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"
BADGE_CELL_ID = "open-in-colab"  # a fixed id: publishing twice writes the same file
COLAB = "https://colab.research.google.com/github"

GITHUB_URL = re.compile(
    r"^https://github\.com/(?P<owner>[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)/"
    r"(?P<repo>[A-Za-z0-9._-]+?)(?:\.git)?/?$"
)
BRANCH = re.compile(r"^(?!-)(?!.*\.\.)(?!.*//)[A-Za-z0-9._/-]+(?<!/)$")


class PublishError(Exception):
    """A students' copy that cannot be written, with the reason and the path concerned."""


@dataclass(frozen=True)
class Lesson:
    name: str
    what: str
    points: str

    @property
    def path(self) -> str:
        """Where the lesson's notebook lives in the students' copy."""
        return f"{LESSONS_DIR}/{self.name}/{self.name}.ipynb"


@dataclass(frozen=True)
class Repository:
    """The public repository the copy is pushed to; Colab opens its notebooks from there."""

    owner: str
    name: str
    branch: str = "main"

    @classmethod
    def from_url(cls, url: str, branch: str = "main") -> Repository:
        match = GITHUB_URL.match(url.strip())
        if not match or match["repo"] in (".", ".."):
            raise PublishError(
                f"repository URL {url!r} is not a GitHub repository: give it as "
                "https://github.com/OWNER/REPO (Colab opens notebooks from GitHub only)"
            )
        if not BRANCH.match(branch):
            raise PublishError(f"branch {branch!r} is not a valid git branch name")
        return cls(match["owner"], match["repo"], branch)

    def colab_url(self, path: str) -> str:
        """The Colab address that opens the notebook at `path` of this repository."""
        return f"{COLAB}/{self.owner}/{self.name}/blob/{quote(self.branch)}/{quote(path)}"

    def raw_url(self, path: str) -> str:
        """Where the file at `path` of this repository is served as it is (images in markdown
        that Colab and GitHub's notebook viewer both show)."""
        return f"{RAW}/{self.owner}/{self.name}/{quote(self.branch)}/{quote(path)}"

    def badge(self, path: str) -> str:
        return f"[![Open In Colab]({BADGE_IMAGE})]({self.colab_url(path)})"
