"""The discrete DDPM schedule: linear betas over a fixed number of steps."""

from __future__ import annotations

import torch
from torch import Tensor

from greenreg.paths.base import BaseProbabilityPath, PathCoefficients
from greenreg.paths.vp_linear import coefficients_from_log_alphas_cumprod
from greenreg.registry import PATHS


@PATHS.register_module()
class DDPMDiscretePath(BaseProbabilityPath):
    """betas = linspace(beta_start, beta_end, num_steps), alphas_cumprod = cumprod(1 - betas).

    Ho et al. 2020 (Sec. 4: 1e-4 .. 0.02 over 1,000 steps). DDPM step k (0 = least noisy)
    sits at t = 1 - (k + 1) / num_steps, so t=0 is step N-1 and t=1 is the clean data
    (alphas_cumprod = 1). Between steps log alphas_cumprod is linear in t, which makes the
    path continuous for ODE samplers; those stop at the last trained step t = 1 - 1/N and
    denoise from there. Train with DiscreteUniformTimeSampler to hit the steps exactly.

    Args:
        beta_start (float): beta of step 0, in (0, 1).
        beta_end (float): beta of step N-1, in [beta_start, 1).
        num_steps (int): number of diffusion steps N, >= 2.

    Example:
        ``dict(type='DDPMDiscretePath', beta_start=1e-4, beta_end=0.02, num_steps=1000)``
    """

    def __init__(
        self, beta_start: float = 1e-4, beta_end: float = 0.02, num_steps: int = 1000
    ) -> None:
        if not 0 < beta_start <= beta_end < 1:
            raise ValueError(
                f"DDPMDiscretePath.beta_start/beta_end (model.path): expected 0 < beta_start "
                f"<= beta_end < 1, got beta_start={beta_start}, beta_end={beta_end}."
            )
        if not isinstance(num_steps, int) or isinstance(num_steps, bool) or num_steps < 2:
            raise ValueError(
                f"DDPMDiscretePath.num_steps (model.path.num_steps): expected an int >= 2, "
                f"got {num_steps!r}."
            )
        self.num_steps = num_steps
        # float64: alphas_cumprod[-1] ~ 4e-5 is a product of 1,000 factors
        self.betas = torch.linspace(beta_start, beta_end, num_steps, dtype=torch.float64)
        self.alphas_cumprod = torch.cumprod(1 - self.betas, dim=0)
        # log alphas_cumprod on the grid t = 1, 1 - 1/N, ..., 0 (index j = k + 1)
        self._log_abar = torch.cat([torch.zeros(1, dtype=torch.float64), self.alphas_cumprod.log()])
        self.sampling_range = (0.0, 1.0 - 1.0 / num_steps)

    def coefficients(self, t: Tensor) -> PathCoefficients:
        """Piecewise log-linear interpolation between steps; shapes (B,)."""
        pos = (1 - t.double()) * self.num_steps  # j = k + 1, in [0, N]
        j = pos.floor().clamp(0, self.num_steps - 1).long()
        grid = self._log_abar.to(t.device)
        slope = grid[j + 1] - grid[j]  # d log_abar / d j
        log_abar = grid[j] + (pos - j) * slope
        return coefficients_from_log_alphas_cumprod(log_abar, -self.num_steps * slope, t.dtype)

    def schedule_constants(self, num_points: int | None = None) -> dict[str, list[float]]:
        """The DDPM constants themselves (index k = step), for TensorStatsHook."""
        abar = self.alphas_cumprod
        return dict(
            betas=self.betas.tolist(),
            alphas_cumprod=abar.tolist(),
            sqrt_alphas_cumprod=abar.sqrt().tolist(),
            sqrt_one_minus_alphas_cumprod=(1 - abar).sqrt().tolist(),
            log_snr=(abar.log() - (-abar).log1p()).tolist(),
        )
