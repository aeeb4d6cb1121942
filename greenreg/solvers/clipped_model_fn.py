"""A ModelFn whose x1 estimate is clamped to the data range (static thresholding)."""

from __future__ import annotations

from torch import Tensor

from greenreg.solvers.model_fn import ModelFn
from greenreg.targets.base import Denoised
from greenreg.targets.velocity import VelocityTarget


class ClippedModelFn(ModelFn):
    """``model`` with its x1 estimate clamped to [-1, 1] and eps recomputed from it.

    DDPM's ``clip_denoised`` (Ho et al. 2020) and the thresholding of DPM-Solver++ (Lu et
    al. 2022, Sec. 4), for ODE solvers: velocity and denoiser both follow the clamped pair,
    so a large step that carries x far off the data range is pulled back at the next
    evaluation. Evaluations are counted on ``model``.

    Args:
        model (ModelFn): the model (possibly guided).
    """

    def __init__(self, model: ModelFn) -> None:
        super().__init__(model.network, model.path, model.target, model.cond, model.uncond)
        self.inner = model

    @property
    def nfe(self) -> int:
        """The wrapped model's evaluation count."""
        return self.inner.nfe

    @nfe.setter
    def nfe(self, value: int) -> None:
        # ModelFn.__init__ sets a count of its own; this view keeps the wrapped one's
        pass

    def predict(self, x: Tensor, t: Tensor) -> Tensor:
        """The wrapped model's prediction (counted there)."""
        return self.inner.predict(x, t)

    def denoise(self, x: Tensor, t: Tensor) -> Denoised:
        """(x1 clamped to [-1, 1], eps = (x - alpha x1) / sigma) at x (B, ...), t (B,)."""
        d = super().denoise(x, t)
        c = self.coefficients(x, t)
        x1 = d.x1.clamp(-1, 1)
        return Denoised(x1=x1, eps=(x - c.alpha * x1) / c.sigma)

    def velocity(self, x: Tensor, t: Tensor) -> Tensor:
        """The velocity of the clamped pair, alpha' x1 + sigma' eps."""
        return VelocityTarget().from_denoised(self.denoise(x, t), self.coefficients(x, t))
