"""DDPM's integer timesteps, spaced as diffusers' schedulers space them."""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from greenreg.paths.base import BaseProbabilityPath
from greenreg.registry import TIME_GRIDS
from greenreg.timegrids.base import BaseTimeGrid

SPACINGS = ("leading", "trailing", "linspace")


@TIME_GRIDS.register_module()
class DDPMSpacingTimeGrid(BaseTimeGrid):
    """N of a discrete path's T integer steps, chosen as diffusers' ``timestep_spacing``.

    With k the DDPM step (0 least noisy, T - 1 pure noise), diffusers (DDIMScheduler,
    ``set_timesteps``) takes ``leading``: k = i * (T // N) (+ ``steps_offset``),
    ``trailing``: k = round(T - i T / N) - 1, ``linspace``: k = round(linspace(0, T - 1, N)),
    for i = 0 .. N - 1, and steps from the largest k down, the last step to alphas_cumprod
    = 1 (``set_alpha_to_one``). Step k sits at t = 1 - (k + 1) / T here (DDPMDiscretePath),
    and the final step goes to t = 1. "trailing" starts at k = T - 1, the pure-noise step
    (Lin et al. 2024, Table 2: "leading" never samples from the noisiest step).

    Args:
        num_steps (int): number of intervals N, in [1, T].
        spacing (str): ``"leading"``, ``"trailing"`` or ``"linspace"``.
        steps_offset (int): diffusers' offset added to "leading" steps, >= 0.

    Example:
        ``dict(type='DDPMSpacingTimeGrid', num_steps=50, spacing='trailing')``
    """

    def __init__(self, num_steps: int = 50, spacing: str = "trailing", steps_offset: int = 0):
        super().__init__(num_steps)
        if spacing not in SPACINGS:
            raise ValueError(
                f"DDPMSpacingTimeGrid.spacing (model.time_grid.spacing): expected one of "
                f"{SPACINGS}, got {spacing!r}."
            )
        if not isinstance(steps_offset, int) or steps_offset < 0:
            raise ValueError(
                f"DDPMSpacingTimeGrid.steps_offset (model.time_grid.steps_offset): expected an "
                f"int >= 0, got {steps_offset!r}."
            )
        self.spacing, self.steps_offset = spacing, steps_offset

    def steps(self, num_train_steps: int) -> np.ndarray:
        """The integer steps k, largest first, shape (N,) (diffusers' ``timesteps``)."""
        n, total = self.num_steps, num_train_steps
        if self.spacing == "leading":
            k = np.arange(0, n) * (total // n) + self.steps_offset
        elif self.spacing == "trailing":
            # diffusers' np.arange(total, 0, -total / n) is this, but its float step can
            # overshoot by one entry (step -1 at n = 61 of 1,000): index the n values instead
            k = np.round(total - np.arange(n) * (total / n)).astype(np.int64) - 1
        else:
            k = np.linspace(0, total - 1, n).round().astype(np.int64)
        return np.sort(k)[::-1].copy()

    def interior(self, path: BaseProbabilityPath, start: float) -> Tensor:
        """Times t = 1 - (k + 1) / T of the steps k; shape (N,)."""
        total = getattr(path, "num_steps", None)
        if total is None:
            raise ValueError(
                f"DDPMSpacingTimeGrid (model.time_grid): needs a discrete path with "
                f"`num_steps` (DDPMDiscretePath); got {type(path).__name__}."
            )
        if self.num_steps > total:
            raise ValueError(
                f"DDPMSpacingTimeGrid.num_steps (model.time_grid.num_steps): expected at most "
                f"the path's {total} steps, got {self.num_steps}."
            )
        k = self.steps(total)
        if int(k[0]) > total - 1:
            raise ValueError(
                f"DDPMSpacingTimeGrid.steps_offset (model.time_grid.steps_offset): the largest "
                f"step must be one of the path's; expected (num_steps - 1) * (T // num_steps) "
                f"+ steps_offset <= T - 1 = {total - 1}, got {int(k[0])}."
            )
        k = torch.from_numpy(k).double()
        return 1 - (k + 1) / total
