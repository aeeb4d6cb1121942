"""The source interface: what the flow starts from (t=0), for training and for sampling."""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from dataclasses import dataclass, field

import torch
from torch import Tensor, nn


@dataclass
class SourceDraw:
    """Sources for one batch.

    Attributes:
        x0 (Tensor): the flow's starting points, shape (B, ...), float32.
        extras (dict[str, Tensor]): what loss terms may read as ``source.<name>`` (e.g. the
            conditioner's ``mu`` and ``log_var``), each with batch dimension B first.
    """

    x0: Tensor
    extras: dict[str, Tensor] = field(default_factory=dict)


def seeded_normal(
    shape: tuple[int, ...],
    generators: list[torch.Generator] | None,
    device: torch.device | str,
) -> Tensor:
    """Standard normal (B, *shape), row i drawn by ``generators[i]``.

    Per-sample generators make each sample independent of the batch it was drawn in.

    Raises:
        ValueError: no generators (unseeded draws use ``torch.randn`` directly).
    """
    if not generators:
        raise ValueError("seeded_normal: expected one generator per sample, got none.")
    return torch.stack([torch.randn(shape, generator=g, device=device) for g in generators])


class BaseSource(nn.Module, metaclass=ABCMeta):
    """Draws x0 for a training batch and for sampling. Subclasses implement both.

    Attributes:
        keys (tuple[str, ...]): batch keys the source reads (e.g. ``("tokens",)``); tools
            use them to know what a sampling batch must hold.
    """

    keys: tuple[str, ...] = ()

    @abstractmethod
    def forward(self, batch: dict, x1: Tensor) -> SourceDraw:
        """Sources for the data x1 (B, ...) of a training batch."""

    @abstractmethod
    def draw(
        self,
        batch: dict,
        shape: tuple[int, ...],
        generators: list[torch.Generator] | None,
        device: torch.device | str,
    ) -> Tensor:
        """Sources of shape (B, *shape) to sample from; ``batch`` holds :attr:`keys`."""
