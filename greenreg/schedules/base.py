"""The schedule interface: a hyperparameter as a function of training progress."""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from dataclasses import dataclass


@dataclass(frozen=True)
class TrainProgress:
    """How far training has come, handed to the model with every batch.

    Attributes:
        iteration (int): optimizer steps taken before this one (0-based).
        images_seen (int): training images seen before this step, over all ranks.
    """

    iteration: int = 0
    images_seen: int = 0

    @property
    def kimg(self) -> float:
        """Thousands of images seen (EDM's unit)."""
        return self.images_seen / 1000


class BaseSchedule(metaclass=ABCMeta):
    """A float that changes over training: loss weights, Sinkhorn epsilon, FGW lambda, ...

    Subclasses implement :meth:`value`. Calling a schedule with a TrainProgress reads it.
    """

    @abstractmethod
    def value(self, progress: TrainProgress) -> float:
        """The value at ``progress``."""

    def __call__(self, progress: TrainProgress) -> float:
        """The value at ``progress``."""
        return self.value(progress)
