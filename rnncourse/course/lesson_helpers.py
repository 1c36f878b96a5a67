"""The helpers the lessons share, written once; the build copies them into the notebooks.

Each helper is a block between `#@save NAME` and `#@end` (here, in `lesson_helpers_torch.py`
for the PyTorch variant of `random_inputs`, and in `plain_data.py` for `plain`). A lesson's
locked cells hold copies of the blocks they use, in a region

    #@shared NAME NAME ...
    ...the blocks, generated...
    #@end shared

which `python -m rnncourse.course.shared_cells` (run by `make release`) rewrites from the
blocks, and which `tests/test_integrity_rules.py` checks. The notebooks stay self-contained:
students get the text, never this package. This file is read as text by the build; it is valid
Python (and linted) so that the blocks are too.
"""

from __future__ import annotations

import functools
import random
import sys
from typing import TYPE_CHECKING

import numpy as np

from ..engine.plain_data import plain

if TYPE_CHECKING:  # the names the blocks use in the notebooks
    import torch

#@save probe
def probe(function):
    """Marks a function of a check that runs your code on data the check gives it.

    In this notebook a probe is simply called. When the notebook is graded, probes run in your
    kernel and the rest of the check runs in a separate process, which sees only the plain data
    (numbers, strings, arrays and tensors) that the probe returns."""
    @functools.wraps(function)
    def run(*args, **kwargs):
        return plain(function(*plain(args), **plain(kwargs)))
    return run
#@end


#@save seed_everything
def seed_everything(seed=0):
    """The same random numbers from Python, NumPy, PyTorch and Keras (those imported)."""
    random.seed(seed)
    np.random.seed(seed)
    if "torch" in sys.modules:
        sys.modules["torch"].manual_seed(seed)
    if "keras" in sys.modules:
        sys.modules["keras"].utils.set_random_seed(seed)
#@end


#@save check_shape
def check_shape(tensor, shape, name="tensor"):
    """Fail with a readable message unless `tensor` (an array or a tensor) has exactly `shape`."""
    got = tuple(tensor.shape) if hasattr(tensor, "shape") else tuple(np.shape(tensor))
    assert got == tuple(shape), f"{name} has shape {got}, expected {tuple(shape)}"
#@end


#@save random_inputs
def random_inputs(*shape, seed=0, scale=1.0):
    """Float32 values in [-scale, scale) of the given shape, as a NumPy array."""
    rng = np.random.default_rng(seed)
    return (scale * rng.uniform(-1, 1, size=shape)).astype("float32")
#@end


#@save randomize_weights
def randomize_weights(layer, seed=0, scale=0.5):
    """Give every weight of a built Keras layer, or of a PyTorch module, random values in
    [-scale, scale), biases included."""
    rng = np.random.default_rng(seed)
    if hasattr(layer, "get_weights"):  # Keras
        layer.set_weights([rng.uniform(-scale, scale, w.shape).astype("float32")
                           for w in layer.get_weights()])
        return
    with torch.no_grad():  # PyTorch
        for parameter in layer.parameters():
            values = rng.uniform(-scale, scale, tuple(parameter.shape)).astype("float32")
            parameter.copy_(torch.from_numpy(values))
#@end


#@save assert_same_steps
def assert_same_steps(ours, reference, name, hint_first, hint_later, atol=1e-4, time_axis=1):
    """Compare two sequences of states step by step and name the first time step that differs.

    Arrays or tensors; time is axis 1 (batch, steps, units) unless `time_axis` says otherwise.
    """
    def values(x):
        x = x.detach().cpu().numpy() if hasattr(x, "detach") else x
        return np.moveaxis(np.asarray(x, dtype=np.float64), time_axis, 0)

    check_shape(ours, tuple(reference.shape), name)
    ours, reference = values(ours), values(reference)
    close = np.isclose(ours, reference, atol=atol, rtol=atol).reshape(len(ours), -1).all(axis=1)
    if not close.all():
        step = int(np.flatnonzero(~close)[0])
        gap = np.nanmax(np.abs(ours[step] - reference[step]))
        hint = hint_first if step == 0 else hint_later
        raise AssertionError(
            f"{name} differs from the reference at time step {step} "
            f"(largest difference {gap:.3g}): {hint}")
#@end
