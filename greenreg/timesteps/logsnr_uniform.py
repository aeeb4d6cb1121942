"""Times whose log signal-to-noise ratio is uniform on an interval (seed 001, fix 2)."""

from __future__ import annotations

import torch
from torch import Tensor

from greenreg.registry import PATHS, TIME_SAMPLERS
from greenreg.timesteps.base import BaseTimeSampler


@TIME_SAMPLERS.register_module()
class LogSNRUniformTimeSampler(BaseTimeSampler):
    """log SNR ~ U[min_log_snr, max_log_snr], mapped to t through a path's schedule.

    On the linear path (the default), alpha_t = t and sigma_t = 1 - t, so
    log SNR = 2 log(t / (1 - t)) and t = sigmoid(log SNR / 2); U[-2, 6] puts t in
    [0.27, 0.95]: the mid-to-high SNR part where structure forms. Any other path maps
    through its own ``t_from_log_snr`` (give the model's path config).

    Args:
        min_log_snr (float): lower end of the log SNR interval.
        max_log_snr (float): upper end, > min_log_snr.
        path (dict | None): the path whose schedule maps log SNR to t (PATHS); None = linear.

    Example:
        ``dict(type='LogSNRUniformTimeSampler', min_log_snr=-2.0, max_log_snr=6.0)``
    """

    def __init__(
        self, min_log_snr: float = -2.0, max_log_snr: float = 6.0, path: dict | None = None
    ) -> None:
        if not min_log_snr < max_log_snr:
            raise ValueError(
                f"LogSNRUniformTimeSampler.min_log_snr/max_log_snr: expected min < max, "
                f"got min={min_log_snr}, max={max_log_snr}."
            )
        self.min_log_snr, self.max_log_snr = min_log_snr, max_log_snr
        self.path = None if path is None else PATHS.build(path)

    def transform(self, u: Tensor, iteration: int = 0) -> Tensor:
        """T with log_snr = min + (max - min) u; t in (0, 1)."""
        log_snr = self.min_log_snr + (self.max_log_snr - self.min_log_snr) * u
        if self.path is None:
            return torch.sigmoid(log_snr / 2)
        return self.path.t_from_log_snr(log_snr).to(u.dtype)
