"""Screenshots of the lessons as students see them: the first screen of a release notebook and
its diagrams in JupyterLab, and a graded notebook's feedback page with its diagrams.

    .venv/bin/python scripts/lesson_screenshots.py OUT_DIR [ASSIGNMENT ...]

Needs Debian's chromium and chromium-driver (`make test` installs them) and a sandbox for
grading, as `make demo` does. For each assignment (default: 01_simple_rnn and 07_gru) it writes
NAME-lab-set-up.png (the set-up section and its folded cells), NAME-lab-diagram-K.png and
NAME-feedback-diagram-K.png (docs/screenshots/ holds a set). Colab cannot be reached from a
machine without the internet, so it is not among the renderers.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from selenium.webdriver.common.by import By

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rnncourse.course.submissions import perfect_submission  # noqa: E402
from rnncourse.engine.course_folder import notebook_path  # noqa: E402
from rnncourse.engine.notebooks import read_notebook  # noqa: E402
from testing.chromium import (  # noqa: E402
    CHROMEDRIVER,
    CHROMIUM,
    VISIBLE_NOTEBOOK,
    headless_chromium,
)
from testing.plain_grader import PlainCourse  # noqa: E402

TOKEN = "screenshots"


def browser():
    return headless_chromium(1280, 1000)


def wait(condition, seconds: float, what: str):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        found = condition()
        if found:
            return found
        time.sleep(0.5)
    raise TimeoutError(f"waited {seconds:.0f} s for {what}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def shoot_diagrams(driver, root, images_css: str, out: Path, prefix: str) -> list[Path]:
    """Scroll each diagram under `root` into view and save the window; the files written."""
    written = []
    images = [img for img in root.find_elements(By.CSS_SELECTOR, images_css)
              if (img.get_attribute("alt") or "").strip()]
    for k, image in enumerate(images, start=1):
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", image)
        time.sleep(1)
        path = out / f"{prefix}-diagram-{k}.png"
        driver.save_screenshot(str(path))
        written.append(path)
    return written


def lab(names: list[str], out: Path, work: Path) -> list[Path]:
    """The release notebooks in JupyterLab, every cell rendered (no windowing)."""
    for name in names:
        shutil.copy(notebook_path("release", name, ROOT), work / f"{name}.ipynb")
    settings = work / ".lab-settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    port = free_port()
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(work / ".lab-settings")}
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}",
         f"--ServerApp.token={TOKEN}", f"--ServerApp.root_dir={work}", "--allow-root"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    def listening() -> bool:
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", port)) == 0
    driver = browser()
    written = []
    try:
        wait(listening, 120, f"JupyterLab to listen on port {port}")
        for name in names:
            driver.get(f"http://127.0.0.1:{port}/lab/tree/{name}.ipynb?token={TOKEN}")
            wait(lambda: driver.find_elements(By.CSS_SELECTOR, ".jp-MarkdownCell h1"), 120,
                 f"JupyterLab to show {name}")
            time.sleep(8)
            for button in driver.find_elements(By.XPATH, "//button[normalize-space()='No']"):
                button.click()  # JupyterLab's question about news, over the notebook
            shown = driver.find_element(By.CSS_SELECTOR, VISIBLE_NOTEBOOK)
            set_up = shown.find_element(By.XPATH,
                                        ".//h2[starts-with(normalize-space(), 'Set-up')]")
            driver.execute_script("arguments[0].scrollIntoView({block: 'start'});", set_up)
            time.sleep(1)
            path = out / f"{name}-lab-set-up.png"
            driver.save_screenshot(str(path))
            written.append(path)
            written += shoot_diagrams(driver, shown, ".jp-MarkdownCell img", out, f"{name}-lab")
    finally:
        driver.quit()
        server.terminate()
        server.wait(30)
    return written


def feedback(names: list[str], out: Path, work: Path) -> list[Path]:
    """Each lesson's perfect submission graded by nbgrader, and its feedback page."""
    course = PlainCourse.scratch(work / "course", names)
    driver = browser()
    written = []
    try:
        for name in names:
            release = course.generate(name)
            solved = perfect_submission(read_notebook(notebook_path("source", name, ROOT)),
                                        release)
            course.submit(name, "student", solved)
            problems = course.autograde(name)
            if problems:
                raise RuntimeError(f"{name} could not be graded: {problems}")
            subprocess.run([sys.executable, "-m", "nbgrader", "generate_feedback", name,
                            "--force"], cwd=course.path, capture_output=True, check=True,
                           timeout=600)
            page = course.path / "feedback" / "student" / name / f"{name}.html"
            driver.get(page.as_uri())
            wait(lambda: driver.find_elements(By.CSS_SELECTOR, "img"), 60, f"{page}")
            written += shoot_diagrams(driver, driver, "img", out, f"{name}-feedback")
    finally:
        driver.quit()
    return written


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(argv[0]).resolve()
    names = argv[1:] or ["01_simple_rnn", "07_gru"]
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not Path(p).exists()]
    if missing:
        print(f"{missing[0]} is missing: install Debian's chromium and chromium-driver "
              "(apt-get install chromium chromium-driver)", file=sys.stderr)
        return 1
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "lab").mkdir()
        written = lab(names, out, work / "lab") + feedback(names, out, work)
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
