"""Kernel Inception Distance: an unbiased MMD^2 with a cubic polynomial kernel."""

from __future__ import annotations

import numpy as np


def kernel_distance(
    features_a: np.ndarray,
    features_b: np.ndarray,
    subset_size: int = 1000,
    num_subsets: int = 50,
    seed: int = 0,
) -> float:
    """Unbiased MMD^2 between two feature sets, kernel k(x, y) = (x.y / D + 1)^3.

    Binkowski et al. 2018 ("Demystifying MMD GANs", KID): unbiased at any sample size,
    unlike FD, so small evaluation sets compare fairly. Averaged over random subsets of
    ``min(subset_size, N, M)`` points each, as the reference implementations do.

    Args:
        features_a (np.ndarray): shape (N, D).
        features_b (np.ndarray): shape (M, D).
        subset_size (int): points per subset.
        num_subsets (int): subsets averaged.
        seed (int): seed of the subset draws.

    Returns:
        float: the estimate; 0 in expectation for one distribution (can be slightly < 0).

    Raises:
        ValueError: not two (N, D) arrays with N, M >= 2 and equal D.
    """
    a, b = np.asarray(features_a, np.float64), np.asarray(features_b, np.float64)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1] or min(len(a), len(b)) < 2:
        raise ValueError(
            f"kernel_distance: expected two (N, D) arrays with N >= 2 and equal D, got "
            f"{a.shape} and {b.shape}."
        )
    m = min(subset_size, len(a), len(b))
    rng = np.random.default_rng(seed)
    dim = a.shape[1]
    estimates = []
    for _ in range(num_subsets):
        x = a[rng.choice(len(a), m, replace=False)]
        y = b[rng.choice(len(b), m, replace=False)]
        kxx = (x @ x.T / dim + 1) ** 3
        kyy = (y @ y.T / dim + 1) ** 3
        kxy = (x @ y.T / dim + 1) ** 3
        off_diagonal = (kxx.sum() - np.trace(kxx) + kyy.sum() - np.trace(kyy)) / (m * (m - 1))
        estimates.append(off_diagonal - 2 * kxy.mean())
    return float(np.mean(estimates))
