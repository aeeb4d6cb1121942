"""The log-likelihood of a linear observation with Gaussian noise, for gradient guidance."""

from __future__ import annotations

from torch import Tensor

from greenreg.paths.base import PathCoefficients


class GaussianObservationObjective:
    """log N(y; A x1_hat, (noise_std^2 + r_t^2) I), per sample, up to a constant.

    y = A x1 + n with n ~ N(0, noise_std^2 I). DPS takes r_t = 0; with ``x1_var``, the
    variance of the data per dimension, r_t^2 = x1_var sigma^2 / (alpha^2 x1_var + sigma^2)
    is Var[x1 | x_t] for Gaussian data (PiGDM, Song et al. 2023, Eq. 8), which makes the
    guided ODE exact for a Gaussian prior and orthonormal rows of A.

    Args:
        y (Tensor): observations, shape (B, K).
        noise_std (float): observation noise, > 0.
        operator (Tensor | None): A, shape (K, D) on flattened x1 (D = C*H*W); None = I.
        x1_var (float | None): per-dimension data variance; None = DPS (r_t = 0).
    """

    def __init__(
        self,
        y: Tensor,
        noise_std: float,
        operator: Tensor | None = None,
        x1_var: float | None = None,
    ) -> None:
        if not noise_std > 0:
            raise ValueError(
                f"GaussianObservationObjective.noise_std: expected a float > 0, got {noise_std}."
            )
        self.y, self.noise_std, self.operator, self.x1_var = y, float(noise_std), operator, x1_var

    def __call__(self, x1: Tensor, c: PathCoefficients) -> Tensor:
        """Log-likelihood of ``y`` given the estimate x1 (B, ...); shape (B,)."""
        flat = x1.flatten(1)  # (B, D)
        predicted = flat if self.operator is None else flat @ self.operator.T  # (B, K)
        var = self.noise_std**2
        if self.x1_var is not None:
            alpha, sigma = c.alpha.flatten(1)[:, :1], c.sigma.flatten(1)[:, :1]  # (B, 1)
            var = var + self.x1_var * sigma**2 / (alpha**2 * self.x1_var + sigma**2)
        return -0.5 * ((self.y - predicted) ** 2 / var).sum(1)
