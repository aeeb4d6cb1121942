"""Guidance by the gradient of a differentiable objective on the x1 estimate (DPS-style)."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

from greenreg.paths.base import PathCoefficients
from greenreg.registry import GUIDANCE
from greenreg.solvers.model_fn import ModelFn
from greenreg.targets.base import Denoised

# (x1 estimate (B, ...), coefficients at t (B, 1, ...)) -> log-likelihood per sample (B,)
Objective = Callable[[Tensor, PathCoefficients], Tensor]


@GUIDANCE.register_module()
class ObjectiveGradientGuidance:
    """Adds scale * grad_x log p(y | x1_hat(x_t)) to the model's score.

    Chung et al. 2023 (DPS, Eq. 16): the likelihood of an observation y given x_t is
    approximated through the denoised estimate x1_hat(x_t), and its gradient (through the
    network) is added to the score, score = -eps / sigma. So eps' = eps - sigma * scale * g
    and x1' = (x_t - sigma eps') / alpha, returned in the model's own target. With a
    Gaussian prior, a linear observation and the posterior variance of x1 given x_t in the
    likelihood (GaussianObservationObjective with ``x1_var``, Song et al. 2023, PiGDM) the
    guided probability-flow ODE samples the exact posterior (tested).

    The objective depends on the observation, known only when sampling, so this guidance is
    not a config slot: hand it to ``FlowGenerator.sample(batch, guide=...)``.

    Args:
        scale (float): guidance strength, >= 0 (1 = the likelihood as it is).

    Example:
        ``model.sample(batch, guide=lambda m: ObjectiveGradientGuidance(1.0).wrap(m, objective))``
    """

    # FlowGenerator refuses it in model.guidance: wrap() needs the sampling-time objective
    needs_objective = True

    def __init__(self, scale: float = 1.0) -> None:
        if not scale >= 0:
            raise ValueError(
                f"ObjectiveGradientGuidance.scale (model.guidance.scale): expected a float "
                f">= 0, got {scale}."
            )
        self.scale = float(scale)

    def wrap(self, model: ModelFn, objective: Objective) -> ModelFn:
        """``model`` guided towards high ``objective``."""
        return ObjectiveGuidedModelFn(model, objective, self.scale)


class ObjectiveGuidedModelFn(ModelFn):
    """A ModelFn whose score includes the gradient of an objective on its x1 estimate."""

    def __init__(self, inner: ModelFn, objective: Objective, scale: float) -> None:
        super().__init__(inner.network, inner.path, inner.target, inner.cond, inner.uncond)
        self.inner, self.objective, self.scale = inner, objective, scale

    def raw(self, x: Tensor, t: Tensor) -> Tensor:
        """The guided prediction at x (B, ...), t (B,), in the model's target."""
        c = self.coefficients(x, t)
        with torch.enable_grad():
            xg = x.detach().requires_grad_(True)
            d = self.target.to_denoised(self.inner.raw(xg, t).to(x.dtype), xg, c)
            (grad,) = torch.autograd.grad(self.objective(d.x1, c).sum(), xg)
        eps = d.eps.detach() - self.scale * c.sigma * grad
        # where alpha = 0 (pure noise) x1 carries no information about x_t: keep it
        safe_alpha = torch.where(c.alpha == 0, torch.ones_like(c.alpha), c.alpha)
        x1 = torch.where(c.alpha == 0, d.x1.detach(), (x - c.sigma * eps) / safe_alpha)
        return self.target.from_denoised(Denoised(x1=x1, eps=eps), c)
