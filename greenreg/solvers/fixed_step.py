"""Shared validation and time grid for fixed-step explicit solvers."""

from __future__ import annotations

import torch
from torch import Tensor


def check_num_steps(owner: str, num_steps: int) -> int:
    """Returns ``num_steps`` if it is an int >= 1, else raises ValueError naming the key."""
    if not isinstance(num_steps, int) or isinstance(num_steps, bool) or num_steps < 1:
        raise ValueError(
            f"{owner}.num_steps (model.solver.num_steps): expected an int >= 1, got {num_steps!r}."
        )
    return num_steps


def time_like(x: Tensor, t: float) -> Tensor:
    """A batch of equal times, shape (B,), on x's device.

    float64 for a float64 state (so a high-order solver is not limited by a rounded time
    grid), else float32.
    """
    dtype = torch.float64 if x.dtype == torch.float64 else torch.float32
    return torch.full((x.shape[0],), t, device=x.device, dtype=dtype)
