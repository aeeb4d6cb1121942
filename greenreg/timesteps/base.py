"""The time-sampler interface."""

from __future__ import annotations

from abc import ABCMeta, abstractmethod

import torch
from torch import Tensor


class BaseTimeSampler(metaclass=ABCMeta):
    """Draws training times t in [0, 1] (t=1 is data), possibly depending on the iteration.

    Subclasses implement :meth:`__call__`.
    """

    @abstractmethod
    def __call__(
        self,
        batch_size: int,
        iteration: int = 0,
        device: torch.device | str = "cpu",
        generator: torch.Generator | None = None,
    ) -> Tensor:
        """Returns times of shape (batch_size,), float32, in [0, 1]."""
