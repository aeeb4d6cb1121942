"""Frechet distance between two sets of features (Heusel et al. 2017, Eq. 6)."""

from __future__ import annotations

import warnings

import numpy as np
from scipy import linalg


def frechet_distance(features_a: np.ndarray, features_b: np.ndarray) -> float:
    """||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2)) of Gaussians fitted to each set.

    Args:
        features_a (np.ndarray): shape (N, D).
        features_b (np.ndarray): shape (M, D).

    Returns:
        float: the distance, >= 0 (0 for identical statistics).
    """
    a, b = np.asarray(features_a, np.float64), np.asarray(features_b, np.float64)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1] or min(len(a), len(b)) < 2:
        raise ValueError(
            f"frechet_distance: expected two (N, D) arrays with N >= 2 and equal D, got "
            f"{a.shape} and {b.shape}."
        )
    mu_a, mu_b = a.mean(0), b.mean(0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    covmean = linalg.sqrtm(cov_a @ cov_b)
    if not np.isfinite(covmean).all():
        # singular product: regularise both covariances slightly (as in pytorch-fid)
        warnings.warn(
            "frechet_distance: singular covariance product; adding 1e-6 I to both "
            f"({len(a)} and {len(b)} samples in {a.shape[1]} dims)",
            stacklevel=2,
        )
        eps = 1e-6 * np.eye(len(mu_a))
        covmean = linalg.sqrtm((cov_a + eps) @ (cov_b + eps))
    if np.iscomplexobj(covmean):
        if not np.allclose(np.diagonal(covmean).imag, 0, atol=1e-3):
            raise ValueError(
                "frechet_distance: the matrix square root has a large imaginary part "
                f"({np.abs(covmean.imag).max():.3g}); the features are degenerate."
            )
        covmean = covmean.real
    value = ((mu_a - mu_b) ** 2).sum() + np.trace(cov_a + cov_b - 2 * covmean)
    return float(max(value, 0.0))
