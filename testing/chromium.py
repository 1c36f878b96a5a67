"""A headless Chromium driven by Selenium through Debian's chromedriver (no browser is
downloaded), for the hub's round trip (tests/hub_browser.py) and the lessons' screenshots
(scripts/lesson_screenshots.py). Selenium is imported by whoever imports this module."""

from __future__ import annotations

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
# The notebook JupyterLab shows (the other open notebooks' panels are hidden, not removed).
VISIBLE_NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden)"


def headless_chromium(width: int, height: int) -> webdriver.Chrome:
    """A new headless Chromium with a window of width × height pixels."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                 f"--window-size={width},{height}", "--disable-gpu"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
