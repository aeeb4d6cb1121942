"""The model as every sampler sees it: a velocity field and a denoiser on one path."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

from greenreg.paths.base import BaseProbabilityPath, PathCoefficients
from greenreg.paths.linear import LinearPath
from greenreg.targets.base import BasePredictionTarget, Denoised
from greenreg.targets.velocity import VelocityTarget

# (x (B, ...), t (B,), cond (B, ...) | None) -> raw prediction (B, ...) in the target's space
NetworkFn = Callable[[Tensor, Tensor, "Tensor | None"], Tensor]


def time_like(x: Tensor, t: float) -> Tensor:
    """A batch of equal times, shape (B,), on x's device.

    float64 for a float64 state (so a high-order solver is not limited by a rounded time
    grid), else float32.
    """
    dtype = torch.float64 if x.dtype == torch.float64 else torch.float32
    return torch.full((x.shape[0],), t, device=x.device, dtype=dtype)


class ModelFn:
    """A trained prediction read as a velocity u(x, t) or as a denoiser (x1, eps) at (x, t).

    Every solver takes one of these, so every solver works with every generator and every
    prediction target: ODE solvers call :meth:`velocity`, DDIM/DDPM call :meth:`denoise`.
    Guidance wraps a ModelFn into another by overriding :meth:`raw`
    (``ClassifierFreeGuidance.wrap``, ``ObjectiveGradientGuidance.wrap``).

    Args:
        network (NetworkFn): (x, t, cond) -> raw prediction in ``target``'s space.
        path (BaseProbabilityPath): the path the network was trained on.
        target (BasePredictionTarget): what the network predicts.
        cond (Tensor | None): the condition handed to ``network``, shape (B, ...).
        uncond (Tensor | None): the unconditional branch's condition, same shape.
    """

    def __init__(
        self,
        network: NetworkFn,
        path: BaseProbabilityPath,
        target: BasePredictionTarget,
        cond: Tensor | None = None,
        uncond: Tensor | None = None,
    ) -> None:
        self.network, self.path, self.target = network, path, target
        self.cond, self.uncond = cond, uncond
        self.nfe = 0

    @classmethod
    def from_velocity(cls, velocity: Callable[[Tensor, Tensor], Tensor]) -> ModelFn:
        """A velocity field v(x, t) as a ModelFn (linear path, velocity target)."""
        return cls(lambda x, t, cond: velocity(x, t), LinearPath(), VelocityTarget())

    def raw(self, x: Tensor, t: Tensor) -> Tensor:
        """The network's prediction at x (B, ...), t (B,), uncounted."""
        return self.network(x, t, self.cond)

    def predict(self, x: Tensor, t: Tensor) -> Tensor:
        """The raw prediction at x (B, ...), t (B,); counts one NFE."""
        self.nfe += 1
        return self.raw(x, t)

    def coefficients(self, x: Tensor, t: Tensor) -> PathCoefficients:
        """The path's coefficients at t (B,), shaped (B, 1, ...) to broadcast against x."""
        return self.path.coefficients(t).expand_like(x)

    def denoise(self, x: Tensor, t: Tensor) -> Denoised:
        """(x1, eps) estimates at x (B, ...), t (B,)."""
        return self.target.to_denoised(self.predict(x, t).to(x.dtype), x, self.coefficients(x, t))

    def velocity(self, x: Tensor, t: Tensor) -> Tensor:
        """The velocity d x_t / d t at x (B, ...), t (B,)."""
        prediction = self.predict(x, t).to(x.dtype)
        if isinstance(self.target, VelocityTarget):
            return prediction
        c = self.coefficients(x, t)
        return VelocityTarget().from_denoised(self.target.to_denoised(prediction, x, c), c)

    def velocity_defined(self, t: float) -> bool:
        """Whether :meth:`velocity` is finite at time t.

        Not beyond the path's last sampling time (VP paths: sigma ~ sqrt(1 - t)), nor where
        the target's conversion divides by zero (x1 prediction at sigma = 0).
        """
        if t > self.path.sampling_range[1]:
            return False
        if isinstance(self.target, VelocityTarget):
            return True
        c = self.path.coefficients(torch.tensor([t], dtype=torch.float64))
        return not bool(self.target.singular(c))

    def last_velocity_time(self) -> float | None:
        """The path's last sampling time if the velocity is finite there, else None.

        VP paths stop short of t = 1 (sigma ~ sqrt(1 - t)): an ODE solver integrates up to
        here and takes the rest as one denoised step.
        """
        stop = float(self.path.sampling_range[1])
        return stop if self.velocity_defined(stop) else None

    def step_to(self, x: Tensor, t: float, t_next: float) -> Tensor:
        """The first-order step x_t -> x_t' along the denoised pair (DDIM, eta = 0).

        x_t' = alpha' x1 + sigma' eps with (x1, eps) estimated at t: the exact solution for
        a constant denoiser, Euler in log SNR (Song et al. 2021, Eq. 13). Solvers take it
        where the velocity is singular; to t' = 1 it returns the x1 estimate.
        """
        d = self.denoise(x, time_like(x, t))
        nxt = self.coefficients(x, time_like(x, t_next))
        return nxt.alpha * d.x1 + nxt.sigma * d.eps
