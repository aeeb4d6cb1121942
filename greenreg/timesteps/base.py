"""The time-sampler interface: an inverse CDF applied to uniform draws."""

from __future__ import annotations

from abc import ABCMeta, abstractmethod

import torch
from torch import Tensor


class BaseTimeSampler(metaclass=ABCMeta):
    """Draws training times t in [0, 1] (t=1 is data), possibly depending on the iteration.

    Every sampler is its inverse CDF: :meth:`transform` maps u ~ U[0, 1) to t, so a sampler
    is one formula, quantiles can be tested in closed form, and one stream of uniforms feeds
    mixtures (see CurriculumTimeSampler). Subclasses implement :meth:`transform`.
    """

    @abstractmethod
    def transform(self, u: Tensor, iteration: int = 0) -> Tensor:
        """Maps uniforms u of shape (B,) in [0, 1) to times of shape (B,) in [0, 1]."""

    def __call__(
        self,
        batch_size: int,
        iteration: int = 0,
        device: torch.device | str = "cpu",
        generator: torch.Generator | None = None,
    ) -> Tensor:
        """Returns times of shape (batch_size,), float32, in [0, 1]."""
        u = torch.rand(batch_size, device=device, generator=generator)
        return self.transform(u, iteration)
