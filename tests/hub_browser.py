"""One person's browser on the course's JupyterHub, for tests/test_hub.py: Chromium headless,
driven by Selenium through Debian's chromedriver (no browser is downloaded).

The pages are the ones a person uses: the hub's login form, JupyterLab with nbgrader's
Assignment List, a notebook run from the Run menu, the formgrader in its own tab. Files are
read and written through the Jupyter server's Contents API from inside the user's own page
(their own session, their own XSRF cookie), as JupyterLab itself does.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path

from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from testing.chromium import VISIBLE_NOTEBOOK, headless_chromium

LAB_READY = "#jp-main-dock-panel"
CALL_API = """
const [method, path, body, done] = [arguments[0], arguments[1], arguments[2], arguments[3]];
const xsrf = (document.cookie.match(/_xsrf=([^;]+)/) || [])[1] || "";
fetch(path, {method, body, credentials: "same-origin",
             headers: {"X-XSRFToken": decodeURIComponent(xsrf),
                       "Content-Type": "application/json"}})
  .then(async r => done({status: r.status, text: await r.text()}))
  .catch(e => done({status: 0, text: String(e)}));
"""


class Browser:
    """A signed-in user of the hub at `url`, with a Chromium of their own."""

    def __init__(self, url: str, name: str, password: str, shots: Path):
        self.driver = headless_chromium(1400, 900)
        self.driver.set_script_timeout(300)
        self.url, self.name, self.shots = url.rstrip("/"), name, shots
        self.server = f"{self.url}/user/{name}"
        self.driver.get(f"{self.url}/hub/login")
        self.shot("login")
        self.find("#username_input").send_keys(name)
        self.find("#password_input").send_keys(password)
        self.find("#login_submit").click()
        self.lab_ready(240)

    # -- waiting and finding ------------------------------------------------------------------
    def wait(self, condition: Callable[[], object], seconds: float, what: str):
        deadline = time.monotonic() + seconds
        while True:
            try:
                found = condition()
            except (StaleElementReferenceException, WebDriverException):
                found = None
            if found:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name}: waited {seconds:.0f} s for {what}; the "
                                     f"page is {self.driver.current_url}")
            time.sleep(0.3)

    def find(self, css: str, seconds: float = 60):
        return self.wait(lambda: self.driver.find_element(By.CSS_SELECTOR, css), seconds, css)

    def wait_quietly(self, condition: Callable[[], object], seconds: float) -> bool:
        """Whether `condition` came true within `seconds` (no failure when it did not)."""
        try:
            return bool(self.wait(condition, seconds, "a condition"))
        except AssertionError:
            return False

    def prompts(self) -> list[str]:
        """The input prompts of the code cells of the notebook on show ("[3]:", "[*]:"); "" for a
        folded cell, whose input area (prompt included) JupyterLab does not draw."""
        return [e.text for e in self.driver.find_elements(
            By.CSS_SELECTOR, VISIBLE_NOTEBOOK + " .jp-CodeCell .jp-InputPrompt")]

    def text(self) -> str:
        return self.driver.find_element(By.TAG_NAME, "body").text

    def shot(self, label: str) -> None:
        """A screenshot of the page now, kept when the test fails (or always, when asked)."""
        self.shots.mkdir(parents=True, exist_ok=True)
        self.driver.save_screenshot(str(self.shots / f"{self.name}-{label}.png"))

    def close(self) -> None:
        self.driver.quit()

    # -- the user's own server, through their page ----------------------------------------------
    def api(self, method: str, path: str, body: object = None) -> tuple[int, str]:
        """Call `path` (under the user's server unless absolute) from inside their page."""
        url = path if path.startswith("http") else f"{self.server}/{path.lstrip('/')}"
        payload = None if body is None else json.dumps(body)
        reply = self.driver.execute_async_script(CALL_API, method, url, payload)
        return reply["status"], reply["text"]

    def read_notebook(self, path: str) -> dict:
        status, text = self.api("GET", f"api/contents/{path}?content=1")
        assert status == 200, f"{self.name} could not read {path}: {status} {text[:300]}"
        return json.loads(text)["content"]

    def write_notebook(self, path: str, notebook: dict) -> None:
        body = {"type": "notebook", "format": "json", "content": notebook}
        status, text = self.api("PUT", f"api/contents/{path}", body)
        assert status in (200, 201), f"{self.name} could not save {path}: {status} {text[:300]}"

    # -- JupyterLab -----------------------------------------------------------------------------
    def menu(self, top: str, item: str) -> None:
        """Click the main menu `top`, then its item `item`."""
        self.click_text(".lm-MenuBar-itemLabel", top)
        self.click_text(".lm-Menu-itemLabel", item)

    def menu_items(self, top: str) -> list[str]:
        self.click_text(".lm-MenuBar-itemLabel", top)
        items = [e.text for e in self.driver.find_elements(By.CSS_SELECTOR, ".lm-Menu-itemLabel")
                 if e.text]
        self.driver.find_element(By.TAG_NAME, "body").send_keys("\ue00c")   # Escape
        return items

    def click_text(self, css: str, text: str, seconds: float = 60) -> None:
        def element():
            return next((e for e in self.driver.find_elements(By.CSS_SELECTOR, css)
                         if e.is_displayed() and e.text.strip() == text), None)
        self.wait(element, seconds, f"{css} reading {text!r}").click()

    def lab_ready(self, seconds: float) -> None:
        """Until JupyterLab has restored its layout (its splash screen gone)."""
        self.wait(lambda: self.driver.find_elements(By.CSS_SELECTOR, LAB_READY) and not
                  self.driver.find_elements(By.CSS_SELECTOR, "#jupyterlab-splash"), seconds,
                  "JupyterLab to load")

    def open_lab(self, path: str = "") -> None:
        # ?reset: a fresh layout, not the tabs the user had open before
        self.driver.get(f"{self.server}/lab/tree/{path}?reset" if path
                        else f"{self.server}/lab?reset")
        self.lab_ready(120)

    def assignment_list(self) -> None:
        self.open_lab()
        self.menu("Nbgrader", "Assignment List")
        self.find("#released_assignments_list")

    def assignment_button(self, listing: str, assignment: str, label: str, seconds=120) -> None:
        """Click the button `label` on the row of `assignment` in the list `listing`
        (released, fetched, submitted), after refreshing the list until it is there."""
        def button():
            rows = self.driver.find_elements(
                By.CSS_SELECTOR, f"#{listing}_assignments_list .list_item")
            for row in rows:
                if assignment in row.text:
                    for found in row.find_elements(By.TAG_NAME, "button"):
                        if found.text.strip() == label and found.is_enabled():
                            return found
            self.find("#refresh_assignments_list").click()
            time.sleep(1)
            return None
        self.wait(button, seconds, f"{label} on {assignment} in the {listing} list").click()

    def run_all(self, path: str, seconds: float = 300) -> dict:
        """Open the notebook, run every cell from the Run menu, save it (Ctrl-S); the saved
        notebook, every code cell executed."""
        self.open_lab(path)
        self.find(".jp-Notebook .jp-Cell", 120)

        def started():   # a click while the kernel is still being attached runs nothing
            self.menu("Run", "Run All Cells")
            return self.wait_quietly(lambda: any(
                re.fullmatch(r"\[(\*|\d+)\]:", p.strip()) for p in self.prompts()), 20)
        self.wait(started, 180, f"the cells of {path} to start running")

        def finished():   # folded cells show no prompt: the saved file below shows they ran
            prompts = [p.strip() for p in self.prompts() if p.strip()]
            return prompts and all(p not in ("[ ]:", "[*]:") for p in prompts)
        self.wait(finished, seconds, f"every cell of {path} to run")

        def saved():
            self.find(".jp-Notebook").click()
            ActionChains(self.driver).key_down(Keys.CONTROL).send_keys("s").key_up(
                Keys.CONTROL).perform()
            time.sleep(1)
            notebook = self.read_notebook(path)
            code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
            return notebook if all(c["execution_count"] for c in code) else None
        return self.wait(saved, 60, f"{path} to be saved with its outputs")

    # -- the formgrader, in its own tab ---------------------------------------------------------
    def formgrader(self, page: str = "manage_assignments") -> None:
        self.driver.get(f"{self.server}/formgrader/{page}")
        self.wait(lambda: self.driver.find_elements(By.CSS_SELECTOR, "table tbody tr td")
                  and "Loading, please wait" not in self.text(), 60, f"the formgrader's {page}")

    def row(self, key_css: str, key: str):
        """The formgrader's table row whose cell `key_css` reads `key`."""
        def found():
            for row in self.driver.find_elements(By.CSS_SELECTOR, "table tbody tr"):
                cells = row.find_elements(By.CSS_SELECTOR, key_css)
                if cells and cells[0].text.strip() == key:
                    return row
            return None
        return self.wait(found, 60, f"the formgrader's row {key}")

    def formgrader_action(self, key_css: str, key: str, column: str, label: str,
                          seconds: float = 300) -> str:
        """Click the button in `column` of the row `key`; the message of the dialog that
        reports the result (a failure raises with the dialog's log)."""
        self.row(key_css, key).find_element(By.CSS_SELECTOR, f"td.{column} a").click()

        def dialog():
            shown = [m for m in self.driver.find_elements(By.CSS_SELECTOR, ".modal")
                     if m.is_displayed()]
            return shown[0] if shown else None
        modal = self.wait(dialog, seconds, f"the formgrader to report on {label} {key}")
        self.wait(lambda: modal.text.strip(), 10, "the dialog's text")
        message = modal.text
        self.shot(f"formgrader-{label}-{key}")
        assert modal.get_attribute("id") == "success-modal", f"{label} {key}: {message}"
        modal.find_element(By.CSS_SELECTOR, ".modal-footer button").click()
        self.wait(lambda: not dialog(), 30, "the dialog to close")
        return message

    def cell(self, key_css: str, key: str, column: str) -> str:
        return self.row(key_css, key).find_element(By.CSS_SELECTOR, f"td.{column}").text.strip()

    # -- the Assignment List's other steps -----------------------------------------------------
    def find_in_list(self, listing: str, assignment: str, seconds: float = 120):
        def row():
            for found in self.driver.find_elements(
                    By.CSS_SELECTOR, f"#{listing}_assignments_list .list_item"):
                if assignment in found.text:
                    return found
            self.find("#refresh_assignments_list").click()
            time.sleep(1)
            return None
        return self.wait(row, seconds, f"{assignment} in the {listing} list")

    def validate(self, assignment: str, seconds: float = 300) -> str:
        """Validate the fetched assignment's notebook from the list; the dialog's text."""
        row = self.find_in_list("fetched", assignment)
        row.find_element(By.CSS_SELECTOR, ".assignment-notebooks-link").click()
        self.click_text("#fetched_assignments_list button", "Validate")
        dialog = self.find(".jp-Dialog #validation-message", seconds)
        self.wait(lambda: dialog.text.strip(), 10, "the validation's message")
        message = dialog.text
        self.shot("validated")
        self.find(".jp-Dialog .jp-Dialog-button.jp-mod-accept").click()
        assert "Success! Your notebook passes all the tests." in message, message
        return message

    def open_feedback(self, assignment: str) -> tuple[str, str]:
        """Open the fetched feedback report in the browser: (its path, the page's text)."""
        status, text = self.api("GET", f"api/contents/{assignment}/feedback")
        assert status == 200, f"{self.name} has no feedback folder: {status} {text[:300]}"
        folders = [e["path"] for e in json.loads(text)["content"] if e["type"] == "directory"]
        assert len(folders) == 1, f"{self.name}'s feedback: {folders}"
        path = f"{folders[0]}/{assignment}.html"
        self.driver.get(f"{self.server}/files/{path}")
        return path, self.wait(lambda: "Score" in self.text() and self.text(), 60,
                               "the feedback report")

    # -- a terminal of the user's server, as JupyterLab's Terminal opens one ---------------------
    def terminal(self, command: str, seconds: float = 600) -> str:
        """Run `command` in a new terminal of the user's server (the shell JupyterLab's
        terminal runs); its output, up to the line the command's end prints."""
        status, text = self.api("POST", "api/terminals")
        assert status == 200, f"{self.name} could not open a terminal: {status} {text[:300]}"
        name = json.loads(text)["name"]
        ws = f"{self.server.replace('http', 'ws', 1)}/terminals/websocket/{name}"
        try:   # polled: one long script call would outlast the driver's 120 s read timeout
            self.driver.execute_script(TERMINAL, ws, command)
            ended = re.compile(r"COMMAND-ENDED-2-\d+")
            return self.wait(lambda: ended.search(self.driver.execute_script(
                "return window.rnnTerminal.out")) and self.driver.execute_script(
                "return window.rnnTerminal.out"), seconds, f"`{command}` to end")
        finally:
            self.api("DELETE", f"api/terminals/{name}")


TERMINAL = """
const [url, command] = [arguments[0], arguments[1]];
const socket = new WebSocket(url);
window.rnnTerminal = {out: ""};
socket.onopen = () => socket.send(JSON.stringify(
    ["stdin", command + "; echo COMMAND-ENDED-$((1+1))-$?\\r"]));
socket.onmessage = event => {
  const [kind, text] = JSON.parse(event.data);
  if (kind === "stdout") window.rnnTerminal.out += text;
};
socket.onerror = () => { window.rnnTerminal.out += "\\n[websocket error]"; };
"""
