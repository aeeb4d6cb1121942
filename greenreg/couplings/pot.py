"""POT (Python Optimal Transport), imported so that it never initialises a device it won't use.

POT's backend module imports every array library it finds at import time; JAX and TensorFlow
then reserve GPU memory and CuPy opens a context (POT issues #516, #523, #612). greenreg hands
POT float64 numpy arrays only, so those backends are switched off before the first import
(a user who set the variables keeps their values).
"""

from __future__ import annotations

import os

import numpy as np
from torch import Tensor

for _backend in ("CUPY", "JAX", "TENSORFLOW"):
    os.environ.setdefault(f"POT_BACKEND_DISABLE_{_backend}", "1")

import ot  # noqa: E402


def squared_cost(x0: Tensor, x1: Tensor) -> np.ndarray:
    """Mean squared difference per dimension, ||x0_i - x1_j||^2 / d, shape (B0, B1), float64.

    Per dimension, so the cost (and an epsilon relative to it) does not grow with the
    image size: on 3,072-d CIFAR-sized inputs the plain squared distance averages ~3,800.

    Raises:
        ValueError: a NaN or Inf in the cost (it names the batch rows it came from); OT
            solvers would otherwise return a NaN plan or a silently wrong one.
    """
    a = x0.detach().flatten(1).double().cpu().numpy()
    b = x1.detach().flatten(1).double().cpu().numpy()
    # POT's own squared distance (a matmul): what a direct call would compute
    cost = ot.dist(a, b) / a.shape[1]  # (B0, B1)
    if not np.isfinite(cost).all():
        rows0 = np.flatnonzero(~np.isfinite(a).all(1)).tolist()[:8]
        rows1 = np.flatnonzero(~np.isfinite(b).all(1)).tolist()[:8]
        raise ValueError(
            f"coupling (model.coupling): the cost matrix has NaN or Inf; expected finite "
            f"sources and data, got non-finite x0 rows {rows0} and x1 rows {rows1}."
        )
    return cost


def uniform(n: int) -> np.ndarray:
    """The uniform marginal 1/n, shape (n,), float64."""
    return np.full(n, 1.0 / n)


__all__ = ["ot", "squared_cost", "uniform"]
