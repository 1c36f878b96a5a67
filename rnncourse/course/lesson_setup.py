"""The lessons' shared set-up code: installing what is missing, the order in which PyTorch and
TensorFlow are loaded, and the device PyTorch trains on (see rnncourse.course.lesson_helpers for how
`#@save` blocks reach the notebooks).

The blocks are module-level code in the notebooks, so they are here too: importing this module
loads PyTorch first, as a lesson does (the build reads this file as text; nothing else imports
it).
"""

# ruff: noqa: E402, F401
from __future__ import annotations

#@save torch_before_tensorflow
# PyTorch and its compiler, Triton (where this build of PyTorch has it, as PyPI's CUDA builds
# do), before TensorFlow: TensorFlow and Triton each carry a copy of LLVM, and from Triton 3.7
# on (PyTorch 2.12 and later) a process that loads Triton after TensorFlow aborts with "LLVM
# ERROR: inconsistency in registered CommandLine options" (the notebook's kernel dies). PyTorch
# loads Triton when it builds its first optimizer, which is too late: so it is loaded here.
import importlib.util

import torch

if importlib.util.find_spec("triton") is not None:
    import triton
#@end


#@save install_missing
def install_missing(pinned):
    """pip-installs the pins (module -> pin) whose module is missing, and nothing else: in
    Colab, or on a hub that has the packages, it installs nothing. On a Linux PC without an
    NVIDIA GPU, PyTorch comes as its CPU-only build from PyTorch's own index, without the
    gigabytes of CUDA libraries that PyPI's build brings."""
    import importlib.util
    import os
    import platform
    import shutil
    import subprocess
    import sys

    missing = [pin for module, pin in pinned.items() if importlib.util.find_spec(module) is None]
    pip = [sys.executable, "-m", "pip", "install", "--quiet"]
    torch_pin = next((pin for pin in missing if pin.startswith("torch==")), None)
    gpu = os.path.exists("/proc/driver/nvidia/version") or shutil.which("nvidia-smi")
    if torch_pin and sys.platform == "linux" and platform.machine() == "x86_64" and not gpu:
        print(f"No NVIDIA GPU here: installing {torch_pin}, PyTorch's CPU-only build")
        missing.remove(torch_pin)
        subprocess.run([*pip, torch_pin + "+cpu", "--extra-index-url",
                        "https://download.pytorch.org/whl/cpu"], check=True)
    if missing:
        subprocess.run([*pip, *missing], check=True)
#@end


#@save training_device
def training_device():
    """The device this lesson's models train on, said in one line: the GPU when PyTorch sees
    one, else the CPU; always the CPU while the notebook is graded (nbgrader sets
    NBGRADER_EXECUTION), so that a grade never depends on the machine."""
    import os

    if os.environ.get("NBGRADER_EXECUTION") is not None:
        print("The models train on the CPU while the notebook is graded.")
        return torch.device("cpu")
    if torch.cuda.is_available():
        print(f"The models train on the GPU: {torch.cuda.get_device_name(0)}.")
        return torch.device("cuda")
    print("The models train on the CPU (PyTorch sees no GPU).")
    return torch.device("cpu")
#@end
