"""EDM's rho-spaced noise levels (Karras et al. 2022), on any path."""

from __future__ import annotations

import torch
from torch import Tensor

from greenreg.paths.base import BaseProbabilityPath
from greenreg.registry import TIME_GRIDS
from greenreg.timegrids.base import BaseTimeGrid


@TIME_GRIDS.register_module()
class KarrasTimeGrid(BaseTimeGrid):
    """sigma_i = (s_max^(1/rho) + i / (N - 1) (s_min^(1/rho) - s_max^(1/rho)))^rho, then 0.

    Karras et al. 2022 (EDM), Eq. 5, with N points plus the final sigma_N = 0. sigma here is
    EDM's noise level of the path, sigma / alpha = exp(-log SNR / 2), so the grid fits VP
    and linear paths as well as the VE one; each level maps to its time through
    ``path.t_from_log_snr``. ``sigma_min``/``sigma_max`` default to the path's range over its
    sampling times (whose SNR must then be finite and > 0: give both on the linear and
    cosine paths). On a path sampled up to t = 1 with sigma > 0 there (KarrasSigmaPath) the
    default sigma_min is the grid's t = 1, so N + 1 levels are spaced and N kept.

    Args:
        num_steps (int): number of intervals N, >= 1 (Heun: 2N - 1 NFE, EDM's 35 at N = 18).
        rho (float): spacing exponent, > 0 (7 in EDM).
        sigma_min (float | None): smallest nonzero level, > 0.
        sigma_max (float | None): largest level, > sigma_min.

    Example:
        ``dict(type='KarrasTimeGrid', num_steps=18, rho=7.0)``
    """

    def __init__(
        self,
        num_steps: int = 18,
        rho: float = 7.0,
        sigma_min: float | None = None,
        sigma_max: float | None = None,
    ) -> None:
        super().__init__(num_steps)
        if not rho > 0:
            raise ValueError(
                f"KarrasTimeGrid.rho (model.time_grid.rho): expected a float > 0, got {rho}."
            )
        if sigma_min is not None and sigma_max is not None and not 0 < sigma_min < sigma_max:
            raise ValueError(
                f"KarrasTimeGrid.sigma_min/sigma_max (model.time_grid): expected 0 < sigma_min "
                f"< sigma_max, got sigma_min={sigma_min}, sigma_max={sigma_max}."
            )
        self.rho, self.sigma_min, self.sigma_max = float(rho), sigma_min, sigma_max

    def _levels(self, path: BaseProbabilityPath, start: float) -> tuple[float, float]:
        ends = torch.tensor([start, path.sampling_range[1]], dtype=torch.float64)
        high, low = torch.exp(-path.log_snr(ends) / 2).tolist()
        sigma_max = self.sigma_max if self.sigma_max is not None else high
        sigma_min = self.sigma_min if self.sigma_min is not None else low
        if not 0 < sigma_min < sigma_max < float("inf"):
            raise ValueError(
                f"KarrasTimeGrid.sigma_min/sigma_max (model.time_grid): the levels on "
                f"{type(path).__name__} must be finite; expected 0 < sigma_min < sigma_max < "
                f"inf, got sigma_min={sigma_min:g}, sigma_max={sigma_max:g}; set both where "
                f"the path's sampling range ends at SNR 0 or inf."
            )
        return sigma_min, sigma_max

    def interior(self, path: BaseProbabilityPath, start: float) -> Tensor:
        """Times of the N nonzero levels, largest first; shape (N,)."""
        sigma_min, sigma_max = self._levels(path, start)
        end = float(path.sampling_range[1])
        # a path sampled up to t = 1 itself (VE: sigma_min > 0 there) has its smallest level
        # at the grid's final point: space N + 1 levels and keep the first N
        count = self.num_steps + int(self.sigma_min is None and end >= 1.0)
        ramp = torch.linspace(0, 1, count, dtype=torch.float64)
        if count == 1:
            ramp = torch.zeros(1, dtype=torch.float64)
        root_max, root_min = sigma_max ** (1 / self.rho), sigma_min ** (1 / self.rho)
        sigmas = (root_max + ramp * (root_min - root_max)) ** self.rho
        times = path.t_from_log_snr(-2 * sigmas.log()).clamp(start, end)[: self.num_steps]
        if self.sigma_max is None:
            times[0] = start  # the path's own start, exactly
        if self.sigma_min is None and count == self.num_steps > 1:
            times[-1] = end  # exactly: a bisected time may sit one ulp past the range
        return times
