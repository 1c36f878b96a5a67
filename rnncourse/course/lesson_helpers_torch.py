"""The PyTorch variant of a shared lesson helper (see rnncourse.course.lesson_helpers)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the names the blocks use in the notebooks
    import torch

#@save random_inputs/torch
def random_inputs(*shape, seed=0, scale=1.0):
    """Float32 values in [-scale, scale) of the given shape, as a PyTorch tensor."""
    generator = torch.Generator().manual_seed(seed)
    return scale * (2 * torch.rand(*shape, generator=generator) - 1)
#@end
