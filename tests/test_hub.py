"""Does the course work on a real JupyterHub, driven through a real browser?

The hub is the one `make hub` starts (scripts/hub.py, on its own accounts, folders and ports):
real Unix users, JupyterLab with nbgrader's extensions, the exchange, the course's grader. The
instructor releases lesson 01 from the formgrader; one student fetches it from the Assignment
List, fills in the answers (the file saved through the Contents API in her own session), runs
the notebook, validates and submits; another submits the untouched notebook; the instructor
collects, autogrades from the formgrader (the course's sandbox and judge), generates and
releases feedback; each student fetches and opens their own. Then what a student must not
see or do: the instructor's tools, the exchange's inbound and feedback folders, another
student's files, the instructor's course and gradebook.

Screenshots of the key pages go to hub-screenshots/ when a test fails (always, with
RNNCOURSE_HUB_SCREENSHOTS=always). The hub, its accounts and its ports are gone afterwards.
"""

from __future__ import annotations

import importlib.util
import json
import os
import pwd
import queue
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

import nbformat
import pytest

from rnncourse.engine.course_folder import course_id
from testing import REPO

from .hub_round_trip import ASSIGNMENT, NOTEBOOK, RoundTrip, errors, printed, run_round_trip

pytestmark = pytest.mark.lesson("01_simple_rnn")

SCRIPTS = REPO / "scripts"
SHOTS = REPO / "hub-screenshots"
START_SECONDS = 1800     # a fresh machine builds the servers' environment first


def load_script(name: str):
    if str(SCRIPTS) not in sys.path:   # the hub's scripts import each other
        sys.path.append(str(SCRIPTS))
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


hub_site, hub_system = load_script("hub_site"), load_script("hub_system")
SITE = hub_site.TEST
ADA, BO = SITE.students


def cannot_run() -> str | None:
    """Why the hub test cannot run on this machine (None when it can)."""
    if sys.platform != "linux" or os.geteuid() != 0:
        return "the JupyterHub test creates Unix accounts and runs the hub: it needs root on Linux"
    lacking = hub_system.missing(browser=True)
    if lacking:
        return ("the JupyterHub test needs " + "; ".join(why for _, why in lacking)
                + " (`python3 scripts/hub_system.py --browser` installs them)")
    if importlib.util.find_spec("selenium") is None:
        return "the JupyterHub test needs selenium (requirements.txt)"
    return None


def free_port() -> int:
    """A port such that it and the next two are free on 127.0.0.1."""
    for _ in range(100):
        port = random.randrange(20000, 40000)
        if all(socket.socket().connect_ex(("127.0.0.1", p)) != 0 for p in range(port, port + 3)):
            return port
    raise RuntimeError("no three free ports in a row")


@dataclass
class Hub:
    url: str
    site: object
    ready_seconds: float
    lines: list[str] = field(default_factory=list)


def read_lines(stream, into: queue.Queue) -> None:
    for line in stream:
        into.put(line)
    into.put(None)


def remove_site() -> None:
    """The test site's accounts, homes and folders removed; the servers' environment kept."""
    removed = subprocess.run([sys.executable, str(SCRIPTS / "hub.py"), "clean", "--site",
                              "test", "--keep-env"], capture_output=True, text=True)
    assert removed.returncode == 0, removed.stderr


@pytest.fixture(scope="module")
def hub():
    """The test site's hub, started by scripts/hub.py; stopped and removed afterwards."""
    reason = cannot_run()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the JupyterHub test: {reason}")
        pytest.skip(reason)
    site = hub_site.Site(**{**SITE.__dict__, "port": free_port()})
    remove_site()  # what an interrupted earlier run left
    began = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, str(SCRIPTS / "hub.py"), "start", "--site", "test",
         "--port", str(site.port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, start_new_session=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=read_lines, args=(process.stdout, lines), daemon=True).start()
    said: list[str] = []
    try:
        while not any(line.startswith("(set-up") for line in said):
            line = lines.get(timeout=max(1.0, START_SECONDS - (time.monotonic() - began)))
            assert line is not None, "scripts/hub.py stopped:\n" + "".join(said)
            said.append(line)
        yield Hub(f"http://127.0.0.1:{site.port}", site, time.monotonic() - began, said)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(90)
        remove_site()
        left_accounts = [n for n in site.accounts if n in {e.pw_name for e in pwd.getpwall()}]
        busy = [p for p in range(site.port, site.port + 3)
                if socket.socket().connect_ex(("127.0.0.1", p)) == 0]
        assert not left_accounts and not busy and not site.root.exists(), (
            f"left behind: accounts {left_accounts}, ports {busy}, {site.root}")


@pytest.fixture(scope="module")
def browsers(hub, request):
    """A browser per user, signed in on first use; screenshots kept when a test fails."""
    from .hub_browser import Browser  # selenium: imported only where the test can run

    opened: dict[str, Browser] = {}

    def browser(name: str) -> Browser:
        if name not in opened:
            opened[name] = Browser(hub.url, name, hub.site.passwords[name], SHOTS)
        return opened[name]

    if SHOTS.exists():
        shutil.rmtree(SHOTS)
    yield browser
    failed = request.session.testsfailed > 0
    for one in opened.values():
        if failed:
            one.shot("at-failure")
        one.close()
    if not failed and os.environ.get("RNNCOURSE_HUB_SCREENSHOTS") != "always":
        shutil.rmtree(SHOTS, ignore_errors=True)


@pytest.fixture(scope="module")
def round_trip(hub, browsers) -> RoundTrip:
    done = run_round_trip(hub.site, browsers)
    print(f"\nhub ready after {hub.ready_seconds:.1f} s ({hub.lines[-1].strip()}); "
          f"steps (s): {json.dumps(done.seconds)}")
    return done


def test_the_grading_command_runs_in_the_instructors_terminal(round_trip):
    """Does `python -m rnncourse.grade` in a terminal of the instructor's JupyterLab run from
    the servers' environment and grade the collected class?"""
    out = round_trip.terminal
    assert f"{hub_site.ENV}/bin/python" in out, out[-3000:]
    assert "COMMAND-ENDED-2-0" in out, out[-3000:]


SCORE = re.compile(rf"{ASSIGNMENT} \(Score: ([0-9.]+) / ([0-9.]+)\)")


def test_each_student_gets_their_own_score_through_the_hub(round_trip):
    """Does the formgrader grade 10/10 and 0/10, and does each student read that score in
    the feedback they fetched themselves?"""
    assert round_trip.scores == {ADA: "10 / 10", BO: "0 / 10"}
    assert round_trip.regraded == round_trip.scores
    for student, expected in ((ADA, ("10.0", "10.0")), (BO, ("0.0", "10.0"))):
        _, page = round_trip.feedback[student]
        assert SCORE.findall(page) == [expected], (student, page[:500])


PROBE = """import json, os
def attempt(path, kind):
    try:
        os.listdir(path) if kind == "list" else open(path, "rb").read(1)
        return "allowed"
    except PermissionError:
        return "denied"
    except OSError as err:
        return type(err).__name__
print("PROBE " + json.dumps({label: attempt(*target) for label, target in TARGETS.items()}))
"""


def targets(site) -> dict[str, tuple[str, str]]:
    """What student A tries to reach from her own notebook, each of which exists."""
    exchange = site.exchange / course_id(REPO)
    inbound = sorted((exchange / "inbound").glob(f"{BO}+{ASSIGNMENT}+*"))
    bo_feedback = sorted((site.home(BO) / ASSIGNMENT / "feedback").glob(f"*/{ASSIGNMENT}.html"))
    assert len(inbound) == 1 and len(bo_feedback) == 1, (inbound, bo_feedback)
    found = {
        "the exchange's inbound folder": (exchange / "inbound", "list"),
        "the exchange's feedback folder": (exchange / "feedback", "list"),
        "student B's home": (site.home(BO), "list"),
        "student B's notebook": (site.home(BO) / NOTEBOOK, "read"),
        "student B's feedback": (bo_feedback[0], "read"),
        "the instructor's home": (site.home(site.instructor), "list"),
        "the instructor's source/": (site.course / "source" / NOTEBOOK, "read"),
        "the gradebook": (site.course / "gradebook.db", "read"),
        "student B's collected submission": (
            site.course / "submitted" / BO / NOTEBOOK, "read"),
    }
    for label, (path, _) in found.items():
        assert path.exists(), f"{label}: {path} does not exist, so the probe would prove nothing"
    return {label: (str(path), kind) for label, (path, kind) in found.items()}


def test_a_student_cannot_reach_what_is_not_theirs(hub, browsers, round_trip):
    """Are the formgrader, create-assignment, the exchange's folders, another student's files,
    the instructor's course and the gradebook out of a student's reach, from her browser and
    from her own notebook?"""
    site, teacher, ada = hub.site, browsers(SITE.instructor), browsers(ADA)
    # The instructor has the tools (so that their absence below means something).
    teacher.open_lab()
    assert {"Formgrader", "Create assignment"} <= set(teacher.menu_items("Nbgrader"))
    assert teacher.api("GET", "formgrader/api/assignments")[0] == 200
    ada.open_lab()
    menu = ada.menu_items("Nbgrader")
    ada.shot("student-menu")
    assert "Assignment List" in menu and not {"Formgrader", "Create assignment",
                                              "Course List"} & set(menu), menu
    assert ada.api("GET", "formgrader/api/assignments")[0] == 404
    # The instructor's server, the gradebook's API and student B's files, through the hub.
    instructor_server = f"{hub.url}/user/{site.instructor}"
    assert ada.api("GET", f"{instructor_server}/formgrader/api/assignments")[0] == 403
    bo_path, _ = round_trip.feedback[BO]
    assert ada.api("GET", f"{hub.url}/user/{BO}/files/{bo_path}")[0] == 403
    assert ada.api("GET", f"{hub.url}/user/{BO}/api/contents/{NOTEBOOK}")[0] == 403
    # Her own notebook, run in her own server, against the files themselves.
    probe = nbformat.v4.new_notebook(metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}})
    probe.cells = [nbformat.v4.new_code_cell(f"TARGETS = {targets(site)!r}\n" + PROBE)]
    ada.write_notebook("probe.ipynb", probe)
    run = ada.run_all("probe.ipynb", seconds=120)
    ada.shot("probe")
    found = re.search(r"PROBE (\{.*\})", printed(run))
    assert found and not errors(run), (printed(run), errors(run))
    reached = json.loads(found.group(1))
    assert reached == {label: "denied" for label in reached}, reached
    # What is not denied is not found: inbound and feedback names carry random parts.
    inbound = next((site.exchange / course_id(REPO) / "inbound").glob(f"{BO}+*")).name
    assert re.fullmatch(rf"{BO}\+{ASSIGNMENT}\+[^+]+\+[A-Za-z0-9_-]{{12}}", inbound), inbound
