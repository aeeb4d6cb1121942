"""Equal steps in log SNR."""

from __future__ import annotations

import math

import torch
from torch import Tensor

from greenreg.paths.base import BaseProbabilityPath
from greenreg.registry import TIME_GRIDS
from greenreg.timegrids.base import BaseTimeGrid


@TIME_GRIDS.register_module()
class LogSNRUniformTimeGrid(BaseTimeGrid):
    """log SNR(t_i) equally spaced between the path's first and last sampling time.

    Lu et al. 2022 (DPM-Solver, Sec. 3.3: uniform in lambda = log(alpha / sigma)). The
    first point is the path's start, the last interior point its last sampling time (where
    the velocity is still finite), then t = 1. Where the start has SNR 0 (log SNR -inf) the
    range begins at ``min_log_snr`` instead; where the last sampling time has SNR inf (the
    linear and cosine paths end at t = 1, sigma = 0) ``max_log_snr`` must be given. On a
    path sampled up to t = 1 with SNR < inf there (KarrasSigmaPath) N + 1 equal levels
    reach it, the last being the grid's t = 1.

    Args:
        num_steps (int): number of intervals N, >= 1.
        min_log_snr (float): lower end used where the path starts at SNR 0.
        max_log_snr (float | None): upper end, capped at the path's last sampling time;
            None takes that time.

    Raises:
        ValueError: (when built for a path) ``max_log_snr`` is None and the path's last
            sampling time has SNR inf.

    Example:
        ``dict(type='LogSNRUniformTimeGrid', num_steps=10)``; on LinearPath
        ``dict(type='LogSNRUniformTimeGrid', num_steps=10, max_log_snr=8.0)``
    """

    def __init__(
        self, num_steps: int = 10, min_log_snr: float = -10.0, max_log_snr: float | None = None
    ) -> None:
        super().__init__(num_steps)
        if max_log_snr is not None and not max_log_snr > min_log_snr:
            raise ValueError(
                f"LogSNRUniformTimeGrid.max_log_snr (model.time_grid.max_log_snr): expected a "
                f"float > min_log_snr = {min_log_snr}, got {max_log_snr}."
            )
        self.min_log_snr, self.max_log_snr = float(min_log_snr), max_log_snr

    def interior(self, path: BaseProbabilityPath, start: float) -> Tensor:
        """t_0 = start, then times of equally spaced log SNR up to the last sampling time."""
        end = float(path.sampling_range[1])
        ends = torch.tensor([start, end], dtype=torch.float64)
        low, high = path.log_snr(ends).tolist()
        if low == -math.inf:
            low = self.min_log_snr
        top_is_end = self.max_log_snr is None or self.max_log_snr >= high
        if not top_is_end:
            high = self.max_log_snr
        elif high == math.inf:
            raise ValueError(
                f"LogSNRUniformTimeGrid.max_log_snr (model.time_grid.max_log_snr): "
                f"{type(path).__name__} reaches SNR inf at its last sampling time t = {end}; "
                f"expected a finite max_log_snr, got {self.max_log_snr}."
            )
        # a path sampled up to t = 1 itself (VE: sigma_min > 0 there) has its top level at
        # the grid's final point: space N + 1 levels and keep the first N
        count = self.num_steps + int(top_is_end and end >= 1.0)
        if count == 1:
            return torch.tensor([start], dtype=torch.float64)
        levels = torch.linspace(low, high, count, dtype=torch.float64)
        times = path.t_from_log_snr(levels).clamp(start, end)[: self.num_steps]
        times[0] = start
        if top_is_end and count == self.num_steps:
            times[-1] = end  # exactly: a bisected time may sit one ulp past the range
        return times
