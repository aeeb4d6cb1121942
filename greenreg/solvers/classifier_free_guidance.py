"""Classifier-free guidance with a scale that can decay along the trajectory."""

from __future__ import annotations

import math

import torch
from torch import Tensor

from greenreg.registry import GUIDANCE
from greenreg.solvers.model_fn import ModelFn

DECAYS = ("constant", "linear", "cosine")


@GUIDANCE.register_module()
class ClassifierFreeGuidance:
    """pred = uncond + w(t) (cond - uncond) (Ho & Salimans 2022, Eq. 6 with w = 1 + their w).

    Seed 002 decays the guidance along the trajectory: strong while the layout forms near
    noise, fading towards data where it over-sharpens. With s = ``scale``:
    ``constant`` w = s; ``linear`` w = 1 + (s - 1)(1 - t); ``cosine``
    w = 1 + (s - 1) cos^2(pi t / 2). Combining in any prediction space is equivalent: the
    targets are affine in each other at fixed x_t. Which embedding is "unconditional" (null
    token or average) is the conditioner's choice.

    Args:
        scale (float): guidance scale s >= 1 at t=0; 1 means no guidance.
        decay (str): one of ``"constant"``, ``"linear"``, ``"cosine"``.

    Example:
        ``dict(type='ClassifierFreeGuidance', scale=3.0, decay='linear')``
    """

    def __init__(self, scale: float = 3.0, decay: str = "constant") -> None:
        if not scale >= 1:
            raise ValueError(
                f"ClassifierFreeGuidance.scale (model.guidance.scale): expected a float >= 1, "
                f"got {scale}."
            )
        if decay not in DECAYS:
            raise ValueError(
                f"ClassifierFreeGuidance.decay (model.guidance.decay): expected one of "
                f"{DECAYS}, got {decay!r}."
            )
        self.scale, self.decay = float(scale), decay

    def scale_at(self, t: float) -> float:
        """The guidance weight w(t) for t in [0, 1]."""
        if self.decay == "linear":
            return 1 + (self.scale - 1) * (1 - t)
        if self.decay == "cosine":
            return 1 + (self.scale - 1) * math.cos(math.pi * t / 2) ** 2
        return self.scale

    def __call__(self, cond: Tensor, uncond: Tensor, t: float) -> Tensor:
        """Combines predictions of shape (B, ...) made at the same (x_t, t)."""
        return uncond + self.scale_at(t) * (cond - uncond)

    def wrap(self, model: ModelFn) -> ModelFn:
        """``model`` guided: one batched call of both branches per NFE (none where w = 1).

        Raises:
            ValueError: ``model`` has no unconditional branch.
        """
        if model.cond is None or model.uncond is None:
            raise ValueError(
                "ClassifierFreeGuidance (model.guidance): needs a conditional model with an "
                "unconditional branch; expected a conditioning with `unconditional`, got none."
            )
        return GuidedModelFn(model, self)


class GuidedModelFn(ModelFn):
    """A ModelFn whose prediction is classifier-free guided (see ClassifierFreeGuidance)."""

    def __init__(self, inner: ModelFn, guidance: ClassifierFreeGuidance) -> None:
        super().__init__(inner.network, inner.path, inner.target, inner.cond, inner.uncond)
        self.guidance = guidance

    def raw(self, x: Tensor, t: Tensor) -> Tensor:
        """The guided prediction uncond + w(t) (cond - uncond) at x (B, ...), t (B,)."""
        w = self.guidance.scale_at(float(t[0]))
        if w == 1.0:
            return self.network(x, t, self.cond)
        both = self.network(
            torch.cat([x, x]), torch.cat([t, t]), torch.cat([self.cond, self.uncond])
        )
        # at least fp32 for the extrapolation (bf16 outputs), never below the input's dtype
        cond, uncond = both.to(torch.promote_types(both.dtype, torch.float32)).chunk(2)
        return uncond + w * (cond - uncond)
