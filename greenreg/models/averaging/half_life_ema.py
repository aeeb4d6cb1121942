"""EMA with a half-life in images and EDM's ramp-up (Karras et al. 2022), for EMAHook."""

from __future__ import annotations

import torch
from torch import nn

from greenreg.models.averaging.foreach_ema import ForeachMomentumAnnealingEMA
from greenreg.registry import MODELS


@MODELS.register_module()
class HalfLifeEMA(ForeachMomentumAnnealingEMA):
    """EMA whose decay is set by a half-life in thousands of images, not per step.

    EDM's ``training_loop.py``: with h = ``ema_halflife_kimg`` x 1000 images, shortened to
    ``ema_rampup_ratio`` x images seen while that is smaller, each update keeps
    beta = 0.5 ** (images per update / h) of the average, so the average's half-life is h
    images whatever the batch size; the ramp-up makes a short run's average recent
    instead of its initialisation. mmengine's ``momentum`` (the weight of the new value)
    is 1 - beta.

    Args:
        model (nn.Module): the model to average.
        batch_images (int): images per optimizer step over all ranks (the global batch).
        ema_halflife_kimg (float): half-life in thousands of images, > 0.
        ema_rampup_ratio (float | None): the half-life is at most this fraction of the
            images seen; None = no ramp-up.
        interval (int): update every ``interval`` steps (beta covers the images between).
        device (torch.device | None): where the average lives.
        update_buffers (bool): average buffers too (else copied).

    Example:
        ``dict(type='EMAHook', ema_type='HalfLifeEMA', batch_images=64,
        ema_halflife_kimg=500, ema_rampup_ratio=0.05)``
    """

    def __init__(
        self,
        model: nn.Module,
        batch_images: int = 64,
        ema_halflife_kimg: float = 500.0,
        ema_rampup_ratio: float | None = 0.05,
        interval: int = 1,
        device: torch.device | None = None,
        update_buffers: bool = False,
    ) -> None:
        # momentum and gamma are unused: momentum_at replaces the annealing rule
        super().__init__(model, interval=interval, device=device, update_buffers=update_buffers)
        where = "HalfLifeEMA.{0} (custom_hooks.EMAHook.{0})"
        if not (isinstance(batch_images, int) and batch_images >= 1):
            raise ValueError(f"{where.format('batch_images')}: expected an int >= 1, got "
                             f"{batch_images!r}.")  # fmt: skip
        if not ema_halflife_kimg > 0:
            raise ValueError(f"{where.format('ema_halflife_kimg')}: expected a float > 0, got "
                             f"{ema_halflife_kimg}.")  # fmt: skip
        if ema_rampup_ratio is not None and not ema_rampup_ratio > 0:
            raise ValueError(f"{where.format('ema_rampup_ratio')}: expected a float > 0 or "
                             f"None, got {ema_rampup_ratio}.")  # fmt: skip
        self.batch_images, self.ema_halflife_kimg = batch_images, float(ema_halflife_kimg)
        self.ema_rampup_ratio = ema_rampup_ratio

    def beta_at(self, step: int) -> float:
        """The share of the average kept by the update after ``step`` optimizer steps."""
        halflife_images = self.ema_halflife_kimg * 1000
        if self.ema_rampup_ratio is not None:
            halflife_images = min(halflife_images, step * self.batch_images * self.ema_rampup_ratio)
        return 0.5 ** (self.interval * self.batch_images / max(halflife_images, 1e-8))

    def momentum_at(self, steps: int) -> float:
        """The weight of the new value: 1 - beta."""
        return 1 - self.beta_at(steps)
