"""Execute one notebook top to bottom as a student would, and say how it went.

    python compat_run_notebook.py NOTEBOOK RESULT.json [--timeout SECONDS]

Run by benchmarks/compat_matrix.py with the Python of one of its environments, in a scratch
folder that holds the notebook alone, with no network. It imports nbclient and nbformat only
(never the course's package, which must not be importable there: it says so if it is), writes
the executed notebook back in place and RESULT.json: ok, seconds, the first error (the failing
cell's number and the exception's last line, or that the kernel died), the packages' versions
and what the notebook printed.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

PACKAGES = ("tensorflow", "tensorflow-cpu", "keras", "torch", "triton", "numpy", "matplotlib",
            "tensorflow-datasets")


def versions() -> dict[str, str]:
    found = {}
    for name in PACKAGES:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            pass
    found["python"] = sys.version.split()[0]
    return found


def first_line_of(err: Exception) -> str:
    """The exception's own last line: `Name: message`, without the traceback."""
    if isinstance(err, CellExecutionError):
        name, value = getattr(err, "ename", ""), getattr(err, "evalue", "")
        if name:
            return f"{name}: {value}".strip()
    lines = [line for line in str(err).strip().splitlines() if line.strip()]
    return lines[-1] if lines else type(err).__name__


def failing_cell(nb: nbformat.NotebookNode) -> int | None:
    """The number of the last code cell that has run (the failing one), counting from 1."""
    ran = [i for i, cell in enumerate(nb.cells)
           if cell.cell_type == "code" and cell.get("execution_count")]
    return ran[-1] + 1 if ran else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook")
    parser.add_argument("result")
    parser.add_argument("--timeout", type=int, default=3600, help="seconds per cell")
    args = parser.parse_args()
    result = {"ok": False, "error": None, "cell": None, "versions": versions()}
    if importlib.util.find_spec("rnncourse") is not None:
        result["error"] = "the course's package is importable here; a student has no such thing"
        json.dump(result, open(args.result, "w"))
        return 1
    nb = nbformat.read(args.notebook, as_version=4)
    client = NotebookClient(nb, timeout=args.timeout, kernel_name="python3",
                            resources={"metadata": {"path": "."}})
    start = time.perf_counter()
    try:
        client.execute()
        result["ok"] = True
    except DeadKernelError as err:
        result["error"] = f"the kernel died ({first_line_of(err)})"
    except (CellExecutionError, CellTimeoutError) as err:
        result["error"] = first_line_of(err)
    result["seconds"] = round(time.perf_counter() - start, 1)
    if not result["ok"]:
        result["cell"] = failing_cell(nb)
    result["printed"] = "".join(output.get("text", "") for cell in nb.cells
                                if cell.cell_type == "code" for output in cell.get("outputs", [])
                                if output.get("name") == "stdout")
    nbformat.write(nb, args.notebook)
    with open(args.result, "w") as out:
        json.dump(result, out, indent=1)
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
