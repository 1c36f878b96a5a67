"""Does the lessons' import order hold where the hazard is real? With PyPI's CUDA build of
PyTorch 2.12 or later (Triton 3.7 or later) and TensorFlow in one process, loading Triton after
TensorFlow aborts the process; the lessons' imports cells load it first.

It needs such an environment, which the course's own .venv is not (its CPU build of PyTorch has
no Triton): `make compat` makes them (benchmarks/compat_matrix.py, in ~/.cache/rnncourse-compat
or $COMPAT_CACHE), or RNN_COURSE_TRITON_PYTHON names a Python that has both. Without one the
test is skipped and says why.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from rnncourse.engine.course_folder import notebook_path
from rnncourse.engine.notebooks import grade_id, read_notebook
from testing import REPO

# What lesson 07 does after its imports: a Keras layer, then PyTorch's optimizer (which loads
# Triton when nothing has yet).
WORK = ("import keras, numpy, torch\n"
        "print(keras.layers.GRU(3)(numpy.ones((1, 4, 2), 'float32')).shape)\n"
        "model = torch.nn.Linear(2, 1)\n"
        "optimizer = torch.optim.Adam(model.parameters())\n"
        "model(torch.ones(1, 2)).sum().backward()\n"
        "optimizer.step()\n"
        "print('both frameworks work')\n")


def candidates() -> list[Path]:
    named = os.environ.get("RNN_COURSE_TRITON_PYTHON")
    if named:
        return [Path(named)]
    cache = Path(os.environ.get("COMPAT_CACHE", Path.home() / ".cache" / "rnncourse-compat"))
    return sorted(cache.glob("envs/*/bin/python"))


def triton_version(python: Path) -> tuple[int, ...] | None:
    """Triton's version in that environment when it also has TensorFlow, else None."""
    script = ("import importlib.metadata, importlib.util\n"
              "from importlib.util import find_spec as f\nassert f('tensorflow') and f('torch')\n"
              "print(importlib.metadata.version('triton'))\n")
    done = subprocess.run([str(python), "-c", script], capture_output=True, text=True)
    if done.returncode != 0:
        return None
    return tuple(int(part) for part in done.stdout.strip().split(".")[:2])


def hazardous_python() -> Path:
    for python in candidates():
        version = triton_version(python)
        if version is not None and version >= (3, 7):
            return python
    pytest.skip("no Python with TensorFlow and PyTorch with Triton 3.7 or later: run "
                "`make compat` (or set RNN_COURSE_TRITON_PYTHON) to have one")


def run(python: Path, code: str, folder: Path) -> subprocess.CompletedProcess:
    script = folder / "script.py"
    script.write_text(code)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "MPLBACKEND": "agg"}
    env.pop("PYTHONPATH", None)
    return subprocess.run([str(python), str(script)], capture_output=True, text=True,
                          timeout=600, cwd=folder, env=env)


def first_cells(name: str) -> str:
    """The lesson's set-up and imports cells (the set-up installs nothing where all is there)."""
    nb = read_notebook(notebook_path("release", name, REPO))
    return "\n".join(cell.source for cell in nb.cells if grade_id(cell) in ("setup", "imports"))


@pytest.mark.parametrize("name", ["07_gru", "08_char_lm"])
def test_the_imports_cell_keeps_pytorch_working_after_tensorflow(name, tmp_path):
    """Where TensorFlow first, then PyTorch's optimizer, kills the process, do the lesson's
    imports (then TensorFlow, as tensorflow-datasets loads it) leave both frameworks working?"""
    python = hazardous_python()
    crash = run(python, "import tensorflow\n" + WORK, tmp_path)
    assert crash.returncode != 0, (
        f"{python}: TensorFlow first no longer breaks PyTorch's optimizer; the test proves "
        "nothing here (Triton fixed? then the shared block may no longer be needed)")
    done = run(python, first_cells(name) + "\nimport tensorflow\n" + WORK, tmp_path)
    assert done.returncode == 0 and "both frameworks work" in done.stdout, (
        f"{name}'s imports, then TensorFlow and PyTorch's optimizer, exited with "
        f"{done.returncode}:\n{(done.stdout + done.stderr)[-2000:]}")
