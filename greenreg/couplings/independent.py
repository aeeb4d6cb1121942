"""Independent coupling: each source trains against the data sample it was drawn with."""

from __future__ import annotations

from torch import Tensor

from greenreg.couplings.base import BaseCoupling, CouplingPlan
from greenreg.registry import COUPLINGS
from greenreg.schedules.base import TrainProgress


@COUPLINGS.register_module()
class IndependentCoupling(BaseCoupling):
    """pi(x0, x1) = q(x0) q(x1): the pairs as drawn (Lipman et al. 2023, Eq. 9).

    Example:
        ``dict(type='IndependentCoupling')``
    """

    def plan(
        self, x0: Tensor, x1: Tensor, cond: Tensor | None, progress: TrainProgress
    ) -> CouplingPlan:
        """The identity pairing."""
        return CouplingPlan()
