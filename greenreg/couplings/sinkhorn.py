"""Entropic minibatch OT with a scheduled epsilon, its plan sampled without replacement."""

from __future__ import annotations

import warnings

import numpy as np
import torch
from torch import Tensor

from greenreg.couplings.base import BaseCoupling, CouplingPlan
from greenreg.couplings.exact_ot import check_equal_batches, exact_permutation
from greenreg.couplings.pot import ot, squared_cost, uniform
from greenreg.registry import COUPLINGS
from greenreg.schedules import build_schedule
from greenreg.schedules.base import TrainProgress

METHODS = ("sinkhorn_log", "sinkhorn")


def sample_permutation(plan: np.ndarray, generator: torch.Generator | None = None) -> Tensor:
    """A permutation drawn from a B x B plan, without replacement: the source of each column.

    Columns are visited in random order; each takes a source with probability proportional
    to its plan entries among the sources not taken yet, so every source and every data
    sample is used once (a plan sampled with replacement repeats some and drops others).
    """
    weights = torch.as_tensor(plan, dtype=torch.float64).clamp(min=0)
    n = weights.shape[0]
    free = torch.ones(n, dtype=torch.float64)
    index = torch.empty(n, dtype=torch.long)
    for j in torch.randperm(n, generator=generator).tolist():
        column = weights[:, j] * free
        # a column whose mass sits only on taken sources falls back to any free one
        p = column if float(column.sum()) > 0 else free
        i = int(torch.multinomial(p, 1, generator=generator))
        index[j], free[i] = i, 0.0
    return index


@COUPLINGS.register_module()
class SinkhornCoupling(BaseCoupling):
    """Entropic OT between the batch's sources and data, epsilon following a schedule.

    Cuturi 2013; seed 002 grows epsilon 0 -> 0.1 over training (from the straight paths of
    exact OT towards the diversity of the independent coupling). **Epsilon is relative to
    the mean cost**: the cost is the squared distance per dimension divided by its batch
    mean, so epsilon = 0.1 means the same on 2-D points and on 3,072-d images (there the raw
    squared cost averages ~3,800, and plain Sinkhorn underflows to an all-zero plan for any
    epsilon up to 1). epsilon = 0 is exact OT (``ot.emd``), and so is any epsilon below
    ``exact_below``: Sinkhorn needs O(1 / epsilon) iterations, and at epsilon 1e-3 on
    64 digit images 1,000 log-domain iterations left the marginals 1.4e-3 off, where the
    entropic plan is the exact one up to near-ties anyway (a schedule 0 -> 0.1 passes
    through this range in its first steps). The plan comes from POT's
    log-domain solver by default (``method="sinkhorn_log"``, stable at small epsilon), is
    checked (its marginals within ``marginal_tolerance`` of uniform, L1) and sampled
    without replacement into a permutation. A plan that fails the check raises: no silent
    fall-back to the independent coupling (torchcfm's, for a plan summing to < 1e-8).

    Args:
        epsilon (float | list | dict): entropic regularisation relative to the mean cost,
            >= 0; a constant, (iteration, value) pairs or a SCHEDULES config.
        method (str): ``"sinkhorn_log"`` or ``"sinkhorn"`` (POT's plain, for comparison).
        num_iters (int): Sinkhorn iterations at most.
        marginal_tolerance (float): largest accepted L1 error of each marginal.
        exact_below (float): epsilons below this use exact OT, >= 0.

    Raises:
        RuntimeError: a plan with wrong marginals (names epsilon, the cost scale, the error).

    Example:
        ``coupling=dict(type='SinkhornCoupling', epsilon=[(0, 0.0), (20000, 0.1)])``
    """

    def __init__(
        self,
        epsilon: float | list | dict = 0.05,
        method: str = "sinkhorn_log",
        num_iters: int = 1000,
        marginal_tolerance: float = 1e-3,
        exact_below: float = 3e-3,
    ) -> None:
        self.epsilon = build_schedule(epsilon, "SinkhornCoupling.epsilon (model.coupling.epsilon)")
        if method not in METHODS:
            raise ValueError(
                f"SinkhornCoupling.method (model.coupling.method): expected one of {METHODS}, "
                f"got {method!r}."
            )
        if not marginal_tolerance > 0:
            raise ValueError(
                f"SinkhornCoupling.marginal_tolerance (model.coupling.marginal_tolerance): "
                f"expected a float > 0, got {marginal_tolerance}."
            )
        if not exact_below >= 0:
            raise ValueError(
                f"SinkhornCoupling.exact_below (model.coupling.exact_below): expected a float "
                f">= 0, got {exact_below}."
            )
        self.method, self.num_iters = method, int(num_iters)
        self.exact_below = float(exact_below)
        self.marginal_tolerance = float(marginal_tolerance)

    def plan(
        self, x0: Tensor, x1: Tensor, cond: Tensor | None, progress: TrainProgress
    ) -> CouplingPlan:
        """Sources permuted by a draw from the entropic plan at this step's epsilon."""
        check_equal_batches(x0, x1, type(self).__name__)
        index = torch.as_tensor(self.permutation(x0, x1, progress))
        return CouplingPlan(source_index=index.to(x1.device))

    def permutation(self, x0: Tensor, x1: Tensor, progress: TrainProgress) -> np.ndarray:
        """The source of each data sample, shape (B,)."""
        cost = squared_cost(x0, x1)
        cost = cost / max(float(cost.mean()), 1e-300)
        epsilon = float(self.epsilon(progress))
        if epsilon <= self.exact_below:
            return exact_permutation(cost, "SinkhornCoupling")
        return sample_permutation(self.entropic_plan(cost, epsilon)).numpy()

    def entropic_plan(self, cost: np.ndarray, epsilon: float) -> np.ndarray:
        """POT's Sinkhorn plan for a normalised cost, checked; shape (B, B)."""
        n = cost.shape[0]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # judged below, by the marginals themselves
            # stop once the L2 marginal error guarantees a quarter of the L1 tolerance
            # (L1 <= sqrt(n) L2); POT's default 1e-9 runs every iteration at small epsilon
            stop = self.marginal_tolerance / (4 * np.sqrt(n))
            plan = ot.sinkhorn(
                uniform(n), uniform(n), cost, epsilon, method=self.method,
                numItermax=self.num_iters, stopThr=stop,
            )  # fmt: skip
        error = max(np.abs(plan.sum(1) - 1 / n).sum(), np.abs(plan.sum(0) - 1 / n).sum())
        if not np.isfinite(plan).all() or not error <= self.marginal_tolerance:
            raise RuntimeError(
                f"SinkhornCoupling (model.coupling): the plan at epsilon {epsilon:g} (relative "
                f"to the mean cost) has marginals off by {error:.3g} in L1 (total mass "
                f"{plan.sum():.3g}); expected <= {self.marginal_tolerance:g}. Use "
                f"method='sinkhorn_log', a larger epsilon or more num_iters."
            )
        return plan
