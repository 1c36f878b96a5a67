"""Run every lesson, solved, in the environments students have: a table lesson x environment.

    make compat                                    # every environment, every lesson
    python -m benchmarks.compat_matrix [--env colab --env newest] [--rebuild] [LESSON ...]

The environments are listed in benchmarks/compat_environments.toml (Colab's versions, the
newest releases, the lessons' own pins as PyPI serves them). Each is a virtual environment on
Python 3.12 in a cache folder outside the repository (COMPAT_CACHE, else
~/.cache/rnncourse-compat), made on the first run and reused afterwards. pip gets a
configuration of its own there, so that it installs exactly what PyPI serves, whatever this
machine's pip set-up adds (constraints, local wheel folders).

Each lesson runs as a student who solved it runs it: the release notebook with every answer
filled in (its visible checks included, no hidden test, no grading), in a scratch folder that
holds that notebook alone, with the environment's Python and kernel, without the course's
package and without ../shared; its set-up cell first runs alone with network (it installs what
the platform lacks, as it would in Colab), then the whole notebook without network
(bubblewrap's --unshare-net). The table gives
pass or FAIL, the seconds and the first error; benchmarks/results/compat_matrix.json keeps the
table, the versions, and each run's executed notebook sits in the cache folder.
"""

from __future__ import annotations

import argparse
import ast
import fcntl
import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from datetime import date
from pathlib import Path

from rnncourse.course.submissions import perfect_submission
from rnncourse.engine.course_folder import assignments, notebook_path, require_assignments
from rnncourse.engine.notebooks import clean, read_notebook, write_notebook
from testing import REPO

HERE = Path(__file__).resolve().parent
ENVIRONMENTS = HERE / "compat_environments.toml"
RUNNER = HERE / "compat_run_notebook.py"
RESULTS = HERE / "results" / "compat_matrix.json"
HARNESS = ["ipykernel", "nbclient", "nbformat"]  # what runs the notebook, in every environment
PIP_CONF = "[global]\ncert = /etc/ssl/certs/ca-certificates.crt\nindex-url = {index}\n" \
           "constraint =\nfind-links =\nextra-index-url =\n"
# Where a Python of the file's version is looked for (COMPAT_PYTHON overrides), in order.
INTERPRETERS = ("python{v}", str(Path.home() / ".pyenv/versions/{v}.*/bin/python{v}"))


def cache_folder() -> Path:
    return Path(os.environ.get("COMPAT_CACHE", Path.home() / ".cache" / "rnncourse-compat"))


def lesson_pins(root: Path = REPO) -> list[str]:
    """Every pin the lessons' set-up cells install when a package is missing, in lesson order."""
    pins: list[str] = []
    for name in assignments(root):
        nb = read_notebook(notebook_path("source", name, root))
        setup = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id")
                     == "setup")
        for node in ast.walk(ast.parse(setup.source)):
            if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "PINNED":
                pins += [p for p in ast.literal_eval(node.value).values() if p not in pins]
    if not pins:
        raise SystemExit("no set-up cell of source/ names a PINNED list")
    return pins


def environments(path: Path = ENVIRONMENTS) -> tuple[str, dict[str, dict]]:
    """(the Python version, {name: {"title", "packages"}}) from the environments file."""
    spec = tomllib.loads(path.read_text())
    python = spec.pop("python")
    for name, env in spec.items():
        if env.get("from_lessons"):
            env["packages"] = lesson_pins() + list(env.get("packages", []))
        if not env.get("packages"):
            raise SystemExit(f"{path}: environment {name!r} lists no packages")
    return python, spec


def interpreter(version: str) -> str:
    """A Python of `version` that runs (a pyenv shim of another version does not)."""
    candidates = [os.environ.get("COMPAT_PYTHON", "")]
    for pattern in INTERPRETERS:
        pattern = pattern.format(v=version)
        candidates += sorted(map(str, Path("/").glob(pattern[1:]))) if "*" in pattern \
            else [shutil.which(pattern) or ""]
    for candidate in filter(None, candidates):
        done = subprocess.run([candidate, "-c", "import sys; print(sys.version)"],
                              capture_output=True, text=True)
        if done.returncode == 0 and done.stdout.startswith(version + "."):
            return candidate
    raise SystemExit(f"no Python {version} found (looked for {', '.join(INTERPRETERS)}); "
                     f"install one or put python{version} on PATH")


def pip_environment(cache: Path) -> dict[str, str]:
    """os.environ for pip with this script's own configuration and none of the machine's."""
    conf = cache / "pip.conf"
    index = os.environ.get("COMPAT_INDEX_URL", "https://pypi.org/simple")
    conf.write_text(PIP_CONF.format(index=index))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env.update(PIP_CONFIG_FILE=str(conf), PIP_DISABLE_PIP_VERSION_CHECK="1")
    return env


def build(name: str, packages: list[str], python: str, cache: Path, rebuild: bool) -> Path:
    """The environment's folder, made (or remade) when its packages changed; a second run of
    this script that wants the same environment meanwhile waits for it."""
    folder = cache / "envs" / name
    with open(cache / "envs" / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return make_environment(folder, name, packages, python, cache, rebuild)


def make_environment(folder: Path, name: str, packages: list[str], python: str, cache: Path,
                     rebuild: bool) -> Path:
    stamp = folder / "compat-spec.json"
    wanted = {"python": python, "packages": packages + HARNESS}
    if not rebuild and stamp.is_file() and json.loads(stamp.read_text()) == wanted:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    print(f"[{name}] creating {folder}: {' '.join(packages)}", flush=True)
    subprocess.run([python, "-m", "venv", str(folder)], check=True)
    pip = [str(folder / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    started = time.perf_counter()
    subprocess.run([*pip, *wanted["packages"]], check=True, env=pip_environment(cache))
    print(f"[{name}] installed in {time.perf_counter() - started:.0f} s", flush=True)
    stamp.write_text(json.dumps(wanted))
    return folder


def student_copy(name: str, folder: Path) -> Path:
    """A scratch folder holding only the lesson's release notebook with its answers filled in."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    solved = perfect_submission(read_notebook(notebook_path("source", name, REPO)),
                                read_notebook(notebook_path("release", name, REPO)))
    path = folder / f"{name}.ipynb"
    write_notebook(clean(solved), path)
    return path


def student_environment() -> dict[str, str]:
    """os.environ less what a student does not have: the course's data and Python paths."""
    drop = ("PYTHONPATH", "VIRTUAL_ENV", "AG_NEWS_DATA", "TINY_SHAKESPEARE_DATA",
            "NBGRADER_EXECUTION")
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("PIP_")}
    env["MPLBACKEND"] = "agg"
    return env


def setup_copy(notebook: Path) -> Path:
    """Beside `notebook`, a notebook of its set-up cell alone."""
    nb = read_notebook(notebook)
    nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "setup"]
    path = notebook.with_name("setup_only.ipynb")
    write_notebook(nb, path)
    return path


def run_notebook(notebook: Path, folder: Path, result: Path, log: Path, network: bool) -> None:
    command = ["bwrap", "--dev-bind", "/", "/", *([] if network else ["--unshare-net"]),
               "--die-with-parent", "--chdir", str(notebook.parent),
               str(folder / "bin" / "python"), str(RUNNER), str(notebook), str(result)]
    result.unlink(missing_ok=True)
    with open(log, "w") as out:
        subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, env=student_environment())


def run_lesson(name: str, env_name: str, folder: Path, cache: Path) -> dict:
    """Execute the solved lesson in the environment; the runner's result.

    As on a student's platform, the set-up cell may install what the platform lacks from the
    network: it runs first, alone, with network (its installs stay in the environment). Then
    the whole notebook runs with no network, so that nothing else may download."""
    scratch = cache / "runs" / env_name / name
    notebook = student_copy(name, scratch)
    result, log = scratch.parent / f"{name}.json", scratch.parent / f"{name}.log"
    run_notebook(setup_copy(notebook), folder, result, log, network=True)
    if result.is_file() and not json.loads(result.read_text())["ok"]:
        found = json.loads(result.read_text())
        found["error"] = f"the set-up cell failed with network: {found['error']}"
        return found
    run_notebook(notebook, folder, result, log, network=False)
    if not result.is_file():
        tail = log.read_text().strip().splitlines()[-1:] or ["no output"]
        return {"ok": False, "error": f"the runner stopped: {tail[0]}", "seconds": None}
    found = json.loads(result.read_text())
    if not found["ok"]:  # a dead kernel's last words are in the log (e.g. LLVM ERROR: ...)
        last = [line for line in log.read_text().splitlines() if "ERROR" in line]
        found["log"] = last[-1][:200] if last else None
    return found


def merged(matrix: dict, path: Path = RESULTS) -> dict:
    """This run's results over the earlier ones in `path`: a run of some environments or
    lessons keeps the rest of the table (each result says when it ran)."""
    if not path.is_file():
        return matrix
    earlier = json.loads(path.read_text())
    for name, env in matrix["environments"].items():
        earlier["environments"][name] = env
        earlier["runs"].setdefault(name, {}).update(matrix["runs"][name])
    earlier["lessons"] += [n for n in matrix["lessons"] if n not in earlier["lessons"]]
    earlier["lessons"].sort()
    return earlier


def cell_text(run: dict | None) -> str:
    if run is None:
        return "–"
    seconds = f"{run['seconds']:.0f} s" if run.get("seconds") is not None else "–"
    if run["ok"]:
        return f"pass, {seconds}"
    where = f" in cell {run['cell']}" if run.get("cell") else ""
    extra = f" ({run['log']})" if run.get("log") else ""
    return f"**FAIL**, {seconds}{where}: {run['error'][:160]}{extra}"


def table(matrix: dict) -> str:
    names = list(matrix["environments"])
    lines = ["| lesson | " + " | ".join(matrix["environments"][n]["title"] for n in names)
             + " |", "|---" * (len(names) + 1) + "|"]
    for lesson in matrix["lessons"]:
        runs = [matrix["runs"].get(n, {}).get(lesson) for n in names]
        lines.append(f"| {lesson} | " + " | ".join(cell_text(r) for r in runs) + " |")
    for n in names:
        versions = matrix["environments"][n].get("versions", {})
        lines.append(f"\n{matrix['environments'][n]['title']}: "
                     + ", ".join(f"{k} {v}" for k, v in versions.items()))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", help="default: every lesson")
    parser.add_argument("--env", action="append", help="one environment of the file (repeat)")
    parser.add_argument("--rebuild", action="store_true", help="remake the environments")
    parser.add_argument("--build-only", action="store_true", help="make them, run nothing")
    args = parser.parse_args(argv)
    if shutil.which("bwrap") is None:
        raise SystemExit("needs bubblewrap (bwrap) to run the lessons without network: "
                         "sudo apt-get install bubblewrap")
    version, envs = environments()
    unknown = set(args.env or []) - set(envs)
    if unknown:
        raise SystemExit(f"no environment {sorted(unknown)} in {ENVIRONMENTS}: {sorted(envs)}")
    lessons = require_assignments(args.lessons, REPO) if args.lessons else assignments(REPO)
    cache, python = cache_folder(), interpreter(version)
    (cache / "envs").mkdir(parents=True, exist_ok=True)
    matrix = {"lessons": lessons, "environments": {}, "runs": {}}
    for env_name in args.env or list(envs):
        env = envs[env_name]
        folder = build(env_name, env["packages"], python, cache, args.rebuild)
        if args.build_only:
            continue
        matrix["environments"][env_name] = {"title": env["title"], "packages": env["packages"]}
        runs = matrix["runs"].setdefault(env_name, {})
        for lesson in lessons:
            runs[lesson] = run_lesson(lesson, env_name, folder, cache)
            runs[lesson]["date"] = date.today().isoformat()
            matrix["environments"][env_name]["versions"] = runs[lesson].pop("versions", {})
            print(f"[{env_name}] {lesson}: {cell_text(runs[lesson])}", flush=True)
    if args.build_only:
        return 0
    with open(RESULTS.with_suffix(".lock"), "w") as lock:  # runs side by side merge in turn
        fcntl.flock(lock, fcntl.LOCK_EX)
        matrix = merged(matrix)
        RESULTS.write_text(json.dumps(matrix, indent=1) + "\n")
    dates = sorted({run["date"] for env in matrix["runs"].values() for run in env.values()})
    print(f"\nLessons run as students run them ({', '.join(dates)}):\n\n{table(matrix)}")
    print(f"\nresults: {RESULTS}; executed notebooks: {cache / 'runs'}")
    every = [matrix["runs"][env][lesson] for env in args.env or list(envs) for lesson in lessons]
    return 0 if all(run["ok"] for run in every) else 1


if __name__ == "__main__":
    sys.exit(main())
