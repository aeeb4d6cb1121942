"""Exact minibatch optimal transport, used as the permutation it is."""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from greenreg.couplings.base import BaseCoupling, CouplingPlan
from greenreg.couplings.pot import ot, squared_cost, uniform
from greenreg.registry import COUPLINGS
from greenreg.schedules.base import TrainProgress


def permutation_from_plan(plan: np.ndarray, where: str) -> np.ndarray:
    """For a B x B plan that is a permutation / B: the source of each data column, (B,).

    Raises:
        RuntimeError: the plan is not a permutation (its support is not one entry per row
            and column), so reading it as one would drop or repeat pairs.
    """
    n = plan.shape[0]
    support = plan > 0.5 / n
    if not (support.sum(0) == 1).all() or not (support.sum(1) == 1).all():
        raise RuntimeError(
            f"{where}: the exact OT plan is not a permutation of the batch (rows with "
            f"{sorted(set(support.sum(1).tolist()))} entries); expected one pair per sample."
        )
    return support.argmax(0)


def exact_permutation(cost: np.ndarray, where: str) -> np.ndarray:
    """The exact OT permutation for a square cost (B, B): the source of each data column."""
    n = cost.shape[0]
    return permutation_from_plan(ot.emd(uniform(n), uniform(n), cost), where)


@COUPLINGS.register_module()
class ExactOTCoupling(BaseCoupling):
    """Pairs a batch of sources with the data by exact OT on the squared distance.

    Tong et al. 2024 (OT-CFM) and Pooladian et al. 2023: with equal batch sizes and uniform
    weights the optimal plan (``ot.emd``, exact network simplex) is a permutation matrix / B
    (Birkhoff), so it is used as one: every source and every data sample appears exactly
    once. (torchcfm samples pairs from the plan with replacement, issue #142, which repeats
    some pairs and drops others.) The data keep their order; the sources are permuted. The
    cost is the squared distance per dimension (``squared_cost``), in float64 on the CPU.

    Raises:
        ValueError: batches of different sizes.
        RuntimeError: POT returns a plan that is not a permutation.

    Example:
        ``coupling=dict(type='ExactOTCoupling')``
    """

    def plan(
        self, x0: Tensor, x1: Tensor, cond: Tensor | None, progress: TrainProgress
    ) -> CouplingPlan:
        """Sources permuted so that x0[source_index[j]] is x1[j]'s optimal partner."""
        check_equal_batches(x0, x1, type(self).__name__)
        index = exact_permutation(squared_cost(x0, x1), type(self).__name__)
        return CouplingPlan(source_index=torch.as_tensor(index, device=x1.device))


def check_equal_batches(x0: Tensor, x1: Tensor, owner: str) -> None:
    """Raises ValueError unless x0 and x1 hold the same number of samples."""
    if len(x0) != len(x1):
        raise ValueError(
            f"{owner}: pairs a batch with itself; expected as many sources as data, got "
            f"{len(x0)} and {len(x1)}."
        )
