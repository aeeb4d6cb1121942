"""Fused Gromov-Wasserstein between a batch of features and a memory bank (seed 003)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from greenreg.couplings.pot import ot, uniform
from greenreg.registry import COUPLINGS
from greenreg.schedules import build_schedule
from greenreg.schedules.base import TrainProgress

TARGET_RULES = ("argmax", "nearest_in_plan")


@dataclass
class FGWPlan:
    """A batch x memory transport plan and what a loss reads from it.

    Attributes:
        plan (Tensor): shape (B, M), float64; rows sum to 1/B, columns to 1/M.
        target_index (Tensor): shape (B,), the memory entry each batch row trains towards
            (see FGWCoupling's ``target``).
        alpha (float): the structure weight used (lambda).
        epsilon (float): the entropic regularisation used (0 = exact FGW).
    """

    plan: Tensor
    target_index: Tensor
    alpha: float
    epsilon: float


def normalised_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Squared Euclidean distances divided by their maximum (POT's FGW convention), (A, B)."""
    cost = ot.dist(a, b)
    return cost / max(float(cost.max()), 1e-300)


@COUPLINGS.register_module()
class FGWCoupling:
    """Fused Gromov-Wasserstein plan between batch features and a memory bank's features.

    Titouan et al. 2019 (FGW): minimise (1 - alpha) <C_feat, T> + alpha sum (C_b[i, k] -
    C_m[j, l])^2 T_ij T_kl over plans T with uniform marginals. The plan is **batch x
    memory** (B, M): seed 003 built it batch x batch. All three costs (batch-to-memory,
    within the batch, within the memory) are squared distances divided by their maximum,
    so alpha and epsilon mean the same at any feature scale; POT's entropic FGW runs the
    non-log Sinkhorn, which returns an all-zero plan on unnormalised costs at small
    epsilon and only warns. Every plan is checked (finite, marginals within
    ``marginal_tolerance`` in L1) and a wrong one raises. epsilon = 0 is POT's exact
    (conditional-gradient) ``fused_gromov_wasserstein``; epsilon > 0 its
    ``entropic_fused_gromov_wasserstein``. Seed 003: alpha 0.1 -> 0.125, epsilon
    0.1 -> 0.087.

    Args:
        alpha (float | list | dict): structure weight lambda in [0, 1]; a constant,
            (iteration, value) pairs or a SCHEDULES config.
        epsilon (float | list | dict): entropic regularisation >= 0 (0 = exact FGW).
        max_iter (int): FGW outer iterations (seed 003: 10).
        marginal_tolerance (float): largest accepted L1 error of each marginal.
        target (str): how a row's plan becomes one target. ``"argmax"``: the entry it sends
            most mass to. ``"nearest_in_plan"``: among the entries it sends at least half
            its largest mass to, the one with the lowest feature cost. With M > B and
            uniform marginals an exact plan spreads each row evenly over ~M/B entries
            (every bank entry must receive mass), so the argmax is an arbitrary member of
            the row's share; the nearest member keeps the plan's coverage (rows own
            disjoint shares) and trains each output towards the data it resembles most.

    Raises:
        ValueError: alpha outside [0, 1], epsilon < 0, features of different widths, a
            bank smaller than the batch, NaN or Inf in the features.
        RuntimeError: a plan with wrong marginals (names alpha, epsilon and the error).

    Example:
        ``coupling=dict(type='FGWCoupling', alpha=[(0, 0.1), (5000, 0.125)], epsilon=0.1)``
    """

    def __init__(
        self,
        alpha: float | list | dict = 0.1,
        epsilon: float | list | dict = 0.1,
        max_iter: int = 10,
        marginal_tolerance: float = 1e-3,
        target: str = "argmax",
    ) -> None:
        self.alpha = build_schedule(alpha, "FGWCoupling.alpha (model.coupling.alpha)")
        self.epsilon = build_schedule(epsilon, "FGWCoupling.epsilon (model.coupling.epsilon)")
        self.max_iter, self.marginal_tolerance = int(max_iter), float(marginal_tolerance)
        if target not in TARGET_RULES:
            raise ValueError(
                f"FGWCoupling.target (model.memory_coupling.target): unknown rule; expected one "
                f"of {TARGET_RULES}, got {target!r}."
            )
        self.target = target
        self.values_at(TrainProgress(0, 0))  # a bad start value fails at build time

    def values_at(self, progress: TrainProgress) -> tuple[float, float]:
        """(alpha, epsilon) now; alpha checked to lie in [0, 1]."""
        alpha, epsilon = float(self.alpha(progress)), float(self.epsilon(progress))
        if not 0 <= alpha <= 1:
            raise ValueError(
                f"FGWCoupling.alpha (model.coupling.alpha): the structure weight must lie in "
                f"[0, 1]; expected 0 <= alpha <= 1, got {alpha}."
            )
        return alpha, epsilon

    def plan(self, features: Tensor, memory: Tensor, progress: TrainProgress) -> FGWPlan:
        """The FGW plan of a batch's features (B, D) against memory features (M, D)."""
        self._check(features, memory)
        alpha, epsilon = self.values_at(progress)
        a = features.detach().double().cpu().numpy()
        b = memory.detach().double().cpu().numpy()
        feature_cost = normalised_distances(a, b)  # (B, M)
        within_batch, within_memory = normalised_distances(a, a), normalised_distances(b, b)
        p, q = uniform(len(a)), uniform(len(b))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # judged below, by the marginals themselves
            if epsilon == 0:
                plan = ot.gromov.fused_gromov_wasserstein(
                    feature_cost, within_batch, within_memory, p, q, "square_loss",
                    alpha=alpha, max_iter=self.max_iter,
                )  # fmt: skip
            else:
                plan = ot.gromov.entropic_fused_gromov_wasserstein(
                    feature_cost, within_batch, within_memory, p, q, "square_loss",
                    epsilon=epsilon, alpha=alpha, max_iter=self.max_iter,
                )  # fmt: skip
        self._check_plan(plan, p, q, alpha, epsilon)
        plan_t = torch.as_tensor(plan)
        index = self._targets(plan_t, torch.as_tensor(feature_cost))
        return FGWPlan(plan_t, index.to(features.device), alpha, epsilon)

    def _targets(self, plan: Tensor, feature_cost: Tensor) -> Tensor:
        """One memory index per row of the plan (B, M), by the ``target`` rule; (B,)."""
        if self.target == "argmax":
            return plan.argmax(1)
        share = plan >= 0.5 * plan.max(1, keepdim=True).values  # (B, M)
        return feature_cost.masked_fill(~share, float("inf")).argmin(1)

    def _check(self, features: Tensor, memory: Tensor) -> None:
        if features.dim() != 2 or memory.dim() != 2 or features.shape[1] != memory.shape[1]:
            raise ValueError(
                f"FGWCoupling: batch and memory features must be (B, D) and (M, D) with one "
                f"D; expected equal widths, got {tuple(features.shape)} and "
                f"{tuple(memory.shape)}."
            )
        if len(memory) < len(features):
            raise ValueError(
                f"FGWCoupling: the memory bank holds fewer features than the batch; expected "
                f"M >= B, got M = {len(memory)} < B = {len(features)} (fill it first)."
            )
        for name, x in (("batch", features), ("memory", memory)):
            bad = (~torch.isfinite(x).all(1)).nonzero().flatten().tolist()
            if bad:
                raise ValueError(
                    f"FGWCoupling: expected finite {name} features, got NaN or Inf in rows "
                    f"{bad[:8]}."
                )

    def _check_plan(self, plan, p, q, alpha: float, epsilon: float) -> None:
        plan = np.asarray(plan)
        error = max(np.abs(plan.sum(1) - p).sum(), np.abs(plan.sum(0) - q).sum())
        if not np.isfinite(plan).all() or not error <= self.marginal_tolerance:
            raise RuntimeError(
                f"FGWCoupling (model.coupling): the plan at alpha {alpha:g}, epsilon "
                f"{epsilon:g} has marginals off by {error:.3g} in L1 (mass {plan.sum():.3g}); "
                f"expected <= {self.marginal_tolerance:g}. Raise epsilon or max_iter."
            )
