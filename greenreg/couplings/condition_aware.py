"""OT restricted to samples of the same condition (C2OT), any inner coupling."""

from __future__ import annotations

import torch
from torch import Tensor

from greenreg.couplings.base import BaseCoupling, CouplingPlan
from greenreg.couplings.exact_ot import check_equal_batches
from greenreg.registry import COUPLINGS
from greenreg.schedules.base import TrainProgress


@COUPLINGS.register_module()
class ConditionAwareCoupling(BaseCoupling):
    """Runs an inner coupling within each group of equal conditions, never across them.

    Plain minibatch OT pairs a data sample with the nearest source regardless of its
    condition, so the learned flow at a point x_t is the same for every condition and
    conditional flow matching degrades (Cheng et al. 2025, C2OT, arXiv 2503.10636; torchcfm
    #117, #120). Here the batch is split by condition (equal rows of ``cond``: a label, or
    an embedding) and the inner coupling pairs the data of each group with the sources at
    the same positions (sources are drawn independently of the condition, so those are a
    random subset of the right size).

    Args:
        coupling (dict): the inner coupling (COUPLINGS), e.g. ExactOTCoupling.

    Raises:
        ValueError: no condition in the batch, or batches of different sizes.

    Example:
        ``coupling=dict(type='ConditionAwareCoupling', coupling=dict(type='ExactOTCoupling'))``
    """

    def __init__(self, coupling: dict) -> None:
        self.inner = COUPLINGS.build(coupling)

    def plan(
        self, x0: Tensor, x1: Tensor, cond: Tensor | None, progress: TrainProgress
    ) -> CouplingPlan:
        """Sources permuted within each condition group."""
        check_equal_batches(x0, x1, type(self).__name__)
        if cond is None:
            raise ValueError(
                "ConditionAwareCoupling (model.coupling): pairs within each condition; expected "
                "a model.conditioning that yields one, got none."
            )
        keys = cond.detach().reshape(len(cond), -1)
        _, group = torch.unique(keys, dim=0, return_inverse=True)  # (B,)
        index = torch.arange(len(x1), device=x1.device)
        for g in torch.unique(group).tolist():
            members = torch.nonzero(group == g).flatten().to(x1.device)
            inner = self.inner.plan(x0[members], x1[members], None, progress)
            if inner.data_index is not None:
                raise ValueError(
                    f"ConditionAwareCoupling.coupling (model.coupling.coupling): expected an "
                    f"inner coupling that keeps the data's order, got {type(self.inner).__name__}."
                )
            chosen = members if inner.source_index is None else members[inner.source_index]
            index[members] = chosen
        return CouplingPlan(source_index=index)
