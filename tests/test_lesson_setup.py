"""Do the lessons start where students start them? The set-up cell installs only what is
missing (PyTorch's CPU-only build on a PC without an NVIDIA GPU), and every lesson that may load
both frameworks loads PyTorch first."""

from __future__ import annotations

import ast
import importlib.machinery
import importlib.util
import os
import platform
import shutil
import subprocess
import sys

import nbformat
import pytest

from rnncourse.course import shared_cells
from rnncourse.engine.course_folder import notebook_path
from rnncourse.engine.notebooks import grade_id, read_notebook
from testing import REPO

from .helpers import ASSIGNMENTS

pytestmark = pytest.mark.unit
TENSORFLOW = ("tensorflow", "keras", "tensorflow_datasets")
ORDER_BLOCK = "torch_before_tensorflow"


def imported(source: str) -> list[tuple[int, str]]:
    """(line, top-level module) of every import in `source`, functions' bodies included."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node.lineno, node.module.split(".")[0]))
    return sorted(found)


def import_order_problem(nb: nbformat.NotebookNode) -> str | None:
    """Why the notebook may load TensorFlow before PyTorch, or None when it cannot."""
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    modules = {module for source in code for _, module in imported(source)}
    if "torch" not in modules or not modules & set(TENSORFLOW):
        return None
    for number, source in enumerate(code, 1):
        lines = source.split("\n")
        region = next((i for i, line in enumerate(lines, 1) if line.startswith(
            shared_cells.BEGIN) and ORDER_BLOCK in line.split()), None)
        first = next((line for line, module in imported(source) if module in TENSORFLOW), None)
        if first is not None and (region is None or region > first):
            return (f"code cell {number} imports {lines[first - 1].strip()!r} before the shared "
                    f"block {ORDER_BLOCK} has loaded PyTorch")
        if region is not None:
            return None
    return f"no code cell holds the shared block {ORDER_BLOCK}"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_a_lesson_with_both_frameworks_loads_pytorch_first_through_the_shared_block(name):
    """Does every lesson that may load PyTorch and TensorFlow load PyTorch (and Triton) first?"""
    for folder in ("source", "release"):
        problem = import_order_problem(read_notebook(notebook_path(folder, name, REPO)))
        assert problem is None, f"{folder}/{name}: {problem}"


def notebook_of(*sources: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])


def test_the_import_order_check_catches_tensorflow_first_and_a_missing_block():
    """Would the check above fail a lesson that imports TensorFlow (or tfds, lazily) first?"""
    block = f"{shared_cells.BEGIN} {ORDER_BLOCK}\nimport torch\n{shared_cells.END}"
    assert import_order_problem(notebook_of("import tensorflow as tf", block)) is not None
    assert import_order_problem(notebook_of(
        "import torch", "def load():\n    import tensorflow_datasets as tfds")) is not None
    assert import_order_problem(notebook_of(block + "\nimport keras", "x = 1")) is None
    assert import_order_problem(notebook_of("import keras", "import numpy")) is None


def test_the_order_block_loads_pytorch_and_triton_and_says_why():
    """Does the shared block import torch (and triton where it exists), with its reason?"""
    text = shared_cells.blocks()[ORDER_BLOCK]
    assert "LLVM" in text and "Triton" in text, "the block should say why the order matters"
    modules = [module for _, module in imported(text)]
    assert modules.index("torch") < modules.index("triton")
    assert not set(modules) & set(TENSORFLOW)


def setup_source(name: str) -> str:
    nb = read_notebook(notebook_path("release", name, REPO))
    return next(c.source for c in nb.cells if grade_id(c) == "setup")


def pins_of(name: str) -> list[str]:
    tree = ast.parse(setup_source(name))
    pinned = next(n.value for n in ast.walk(tree) if isinstance(n, ast.Assign)
                  and getattr(n.targets[0], "id", "") == "PINNED")
    return list(ast.literal_eval(pinned).values())


def run_setup(name, monkeypatch, present: bool, gpu: bool, machine="x86_64") -> list[list]:
    """The pip commands lesson `name`'s set-up cell runs (pip mocked) on such a machine."""
    commands = []
    real_find_spec, real_exists = importlib.util.find_spec, os.path.exists
    monkeypatch.setattr(subprocess, "run", lambda cmd, **_: commands.append(cmd))
    monkeypatch.setattr(importlib.util, "find_spec", lambda module, *a: (
        importlib.machinery.ModuleSpec(module, None) if present else None))
    monkeypatch.setattr(os.path, "exists", lambda p: gpu if p.startswith("/proc/driver/nvidia")
                        else real_exists(p))
    monkeypatch.setattr(shutil, "which", lambda program: None)
    monkeypatch.setattr(platform, "machine", lambda: machine)
    monkeypatch.setattr(sys, "platform", "linux")
    for variable in ("TF_CPP_MIN_LOG_LEVEL", "TF_ENABLE_ONEDNN_OPTS"):
        monkeypatch.setenv(variable, os.environ.get(variable, "3"))  # restored afterwards
    try:
        exec(compile(setup_source(name), f"{name} set-up cell", "exec"), {})
    finally:
        monkeypatch.setattr(importlib.util, "find_spec", real_find_spec)
    return commands


PIP = [sys.executable, "-m", "pip", "install", "--quiet"]


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_the_set_up_cell_installs_nothing_where_every_package_is_there(name, monkeypatch):
    """In Colab (or on a hub with the packages), does the set-up cell run no pip at all?"""
    assert run_setup(name, monkeypatch, present=True, gpu=True) == []
    assert run_setup(name, monkeypatch, present=True, gpu=False) == []


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_on_a_pc_without_a_gpu_pytorch_comes_as_its_cpu_only_build(name, monkeypatch):
    """On a fresh CPU-only Linux hub, is PyTorch installed from PyTorch's CPU index as
    torch==X+cpu, and everything else from PyPI as pinned, with no CUDA build anywhere?"""
    pins = pins_of(name)
    torch_pins = [p for p in pins if p.startswith("torch==")]
    others = [p for p in pins if p not in torch_pins]
    expected = [[*PIP, f"{pin}+cpu", "--extra-index-url", "https://download.pytorch.org/whl/cpu"]
                for pin in torch_pins] + ([[*PIP, *others]] if others else [])
    assert run_setup(name, monkeypatch, present=False, gpu=False) == expected


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_with_a_gpu_or_off_x86_the_set_up_cell_installs_the_pins_from_pypi(name, monkeypatch):
    """With an NVIDIA GPU (or on an ARM Linux), are the pins installed as PyPI serves them?"""
    assert run_setup(name, monkeypatch, present=False, gpu=True) == [[*PIP, *pins_of(name)]]
    assert run_setup(name, monkeypatch, present=False, gpu=False,
                     machine="aarch64") == [[*PIP, *pins_of(name)]]
