"""The loss-term interface: an extra objective that reads the training step."""

from __future__ import annotations

from abc import abstractmethod

from torch import Tensor, nn

from greenreg.models.generators.train_step import TrainStep
from greenreg.schedules import build_schedule


class BaseLossTerm(nn.Module):
    """A weighted objective computed from a TrainStep, with its own weight schedule.

    The generator adds ``weight(progress) * term(step).mean()`` as ``loss_<name>`` and skips
    the term while its weight is 0 (LPIPS after its window costs nothing). A term may own
    parameters (an auxiliary network); they train with the model. Subclasses implement
    :meth:`forward` and list what they read in :attr:`reads`.

    Args:
        weight (float | list | dict): constant, (iteration, weight) pairs, or a SCHEDULES
            config.
    """

    reads: tuple[str, ...] = ()

    def __init__(self, weight: float | list | dict = 1.0) -> None:
        super().__init__()
        self.weight = build_schedule(weight, f"{type(self).__name__}.weight")

    @abstractmethod
    def forward(self, step: TrainStep) -> Tensor:
        """Per-sample values, shape (B,), not reduced."""
