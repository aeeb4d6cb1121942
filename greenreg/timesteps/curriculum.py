"""A curriculum: for the first iterations, mix in times from an easier sampler."""

from __future__ import annotations

import torch
from torch import Tensor

from greenreg.registry import TIME_SAMPLERS
from greenreg.timesteps.base import BaseTimeSampler


def build_time_sampler(cfg: dict | BaseTimeSampler) -> BaseTimeSampler:
    """Builds a time sampler from a config dict, or passes an instance through."""
    return cfg if isinstance(cfg, BaseTimeSampler) else TIME_SAMPLERS.build(cfg)


@TIME_SAMPLERS.register_module()
class CurriculumTimeSampler(BaseTimeSampler):
    """Mixes times from an easier sampler into the first ``until_iter`` iterations.

    Before ``until_iter``, each time comes from ``early`` with probability
    ``early_fraction`` and from ``base`` otherwise; from ``until_iter`` on, all from ``base``.

    Seed 001: "favour alpha > 0.8 for the first 30k iterations", i.e.
    ``early=dict(type='UniformTimeSampler', low=0.8)`` on the linear path (alpha_t = t).

    Args:
        base (dict): config of the sampler used throughout.
        early (dict): config of the sampler favoured early.
        until_iter (int): first iteration at which the curriculum is over.
        early_fraction (float): share of the batch drawn from ``early``, in [0, 1].

    Example:
        ``dict(type='CurriculumTimeSampler', base=dict(type='UniformTimeSampler'),
        early=dict(type='UniformTimeSampler', low=0.8), until_iter=30000)``
    """

    def __init__(
        self, base: dict, early: dict, until_iter: int, early_fraction: float = 0.5
    ) -> None:
        if not isinstance(until_iter, int) or until_iter < 0:
            raise ValueError(
                f"CurriculumTimeSampler.until_iter (model.time_sampler.until_iter): expected "
                f"an int >= 0, got {until_iter!r}."
            )
        if not 0.0 <= early_fraction <= 1.0:
            raise ValueError(
                f"CurriculumTimeSampler.early_fraction (model.time_sampler.early_fraction): "
                f"expected a float in [0, 1], got {early_fraction}."
            )
        self.base = build_time_sampler(base)
        self.early = build_time_sampler(early)
        self.until_iter = until_iter
        self.early_fraction = early_fraction

    def transform(self, u: Tensor, iteration: int = 0) -> Tensor:
        """Inverse CDF of the mixture: u < f goes to ``early`` (rescaled), the rest to ``base``."""
        f = self.early_fraction if iteration < self.until_iter else 0.0
        if f == 0.0:
            return self.base.transform(u, iteration)
        if f == 1.0:
            return self.early.transform(u, iteration)
        early = self.early.transform((u / f).clamp(max=1.0), iteration)
        base = self.base.transform(((u - f) / (1 - f)).clamp(min=0.0), iteration)
        return torch.where(u < f, early, base)
