"""The coupling interface: which source x0 trains against which data x1 in a batch."""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from dataclasses import dataclass

from torch import Tensor

from greenreg.schedules.base import TrainProgress


@dataclass
class CouplingPlan:
    """Pairs (x0[source_index[i]], x1[data_index[i]]), i = 0 .. B-1.

    Attributes:
        source_index (Tensor | None): indices into the sources, shape (B,); None = 0..B-1.
        data_index (Tensor | None): indices into the data, shape (B,); None = 0..B-1.
    """

    source_index: Tensor | None = None
    data_index: Tensor | None = None


class BaseCoupling(metaclass=ABCMeta):
    """Chooses the training pairs from a batch of sources and data (Tong et al. 2024, Sec. 3).

    Independent pairing is the plain conditional flow-matching objective; optimal-transport
    couplings straighten the paths. Subclasses implement :meth:`plan`; the generator applies
    it to x0, x1 and everything that belongs to either side (condition, source moments).
    """

    @abstractmethod
    def plan(
        self, x0: Tensor, x1: Tensor, cond: Tensor | None, progress: TrainProgress
    ) -> CouplingPlan:
        """The pairing for sources x0 (B, ...) and data x1 (B, ...)."""
