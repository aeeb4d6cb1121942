"""ODEs with known solutions, for testing and benchmarking solvers."""

from __future__ import annotations

import torch
from torch import Tensor


class GaussianLinearFlow:
    """The marginal velocity of the linear path from N(0, I) to N(mean, scale^2 I).

    With independent endpoints, x_t ~ N(t mean, sigma_t^2) where
    sigma_t^2 = (1 - t)^2 + t^2 scale^2, and the flow map is x_t = t mean + sigma_t x0, so

        v(x, t) = mean + (t scale^2 - (1 - t)) / sigma_t^2 * (x - t mean)

    and x0 reaches exactly mean + scale * x0 at t = 1 (Lipman et al. 2023, Sec. 4 for the
    Gaussian case).

    Args:
        mean (float): mean of the target.
        scale (float): standard deviation of the target, > 0.
    """

    def __init__(self, mean: float = 2.0, scale: float = 0.5) -> None:
        self.mean, self.scale = mean, scale

    def velocity(self, x: Tensor, t: Tensor) -> Tensor:
        """v(x, t) for x of shape (B, ...) and t of shape (B,)."""
        tt = t.view(-1, *([1] * (x.dim() - 1))).to(x.dtype)
        var = (1 - tt) ** 2 + tt**2 * self.scale**2
        return self.mean + (tt * self.scale**2 - (1 - tt)) / var * (x - tt * self.mean)

    def exact_endpoint(self, x0: Tensor) -> Tensor:
        """Where x0 lands at t = 1."""
        return self.mean + self.scale * x0

    def sources(self, n: int, dim: int = 4, seed: int = 0) -> Tensor:
        """N float64 starting points from N(0, I), shape (n, dim)."""
        g = torch.Generator().manual_seed(seed)
        return torch.randn(n, dim, generator=g, dtype=torch.float64)


class GaussianDenoiser:
    """The exact denoiser E[x1 | x_t] for data N(mean, scale^2 I) on any affine path.

    x_t = alpha x1 + sigma eps is Gaussian with x1, so E[x1 | x_t] = mean +
    alpha scale^2 / (alpha^2 scale^2 + sigma^2) (x_t - alpha mean), and the probability-flow
    map from t=start is affine: x1 = mean + scale (x - alpha_0 mean) / sqrt(alpha_0^2
    scale^2 + sigma_0^2). Tests diffusion samplers without a trained network.

    Args:
        path (BaseProbabilityPath): the path the samples move along.
        mean (float): mean of the data.
        scale (float): standard deviation of the data, > 0.
    """

    def __init__(self, path, mean: float = 2.0, scale: float = 0.5) -> None:
        self.path, self.mean, self.scale = path, mean, scale

    def __call__(self, x: Tensor, t: Tensor):
        """Denoised(x1, eps) at x of shape (B, ...) and t of shape (B,)."""
        from greenreg.targets.base import Denoised

        c = self.path.coefficients(t).expand_like(x)
        gain = c.alpha * self.scale**2 / (c.alpha**2 * self.scale**2 + c.sigma**2)
        x1 = self.mean + gain * (x - c.alpha * self.mean)
        return Denoised(x1=x1, eps=(x - c.alpha * x1) / c.sigma)

    def exact_endpoint(self, x: Tensor, start: float) -> Tensor:
        """Where the probability-flow ODE carries x (B, ...) from t=start to t=1."""
        c = self.path.coefficients(torch.tensor([start], dtype=torch.float64))
        spread = (c.alpha**2 * self.scale**2 + c.sigma**2).sqrt()
        return self.mean + self.scale * (x - c.alpha * self.mean) / spread
