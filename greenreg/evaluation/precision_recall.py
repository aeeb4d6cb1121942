"""Improved precision and recall of generative models (Kynkaanniemi et al. 2019)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import Tensor

# squared distances come from |a|^2 + |b|^2 - 2 a.b in float64; a point at distance 0 from a
# ball's centre can come out a hair above 0, so balls are widened by this much relative to
# the largest squared norm (matters only for duplicates, whose k-NN radius is exactly 0)
RELATIVE_TOLERANCE = 1e-9


@dataclass
class PrecisionRecall:
    """Improved precision and recall, each in [0, 1].

    Attributes:
        precision (float): share of generated samples inside the real manifold estimate.
        recall (float): share of real samples inside the generated manifold estimate.
    """

    precision: float
    recall: float

    def as_dict(self) -> dict:
        """``{'precision': ..., 'recall': ...}``."""
        return asdict(self)


def _squared_distances(a: Tensor, b: Tensor) -> Tensor:
    """Pairwise squared Euclidean distances, shape (len(a), len(b)), float64, >= 0."""
    d2 = a.square().sum(1, keepdim=True) + b.square().sum(1)[None] - 2 * a @ b.T
    return d2.clamp_min(0)


def knn_radii(features: Tensor, k: int, batch_size: int = 1024) -> Tensor:
    """Squared distance of each point to its k-th nearest other point, shape (N,).

    The point itself (distance 0) is the first of its sorted distances, so the (k+1)-th
    smallest is the k-th neighbour; a duplicate of the point counts as a neighbour.
    """
    radii = [
        _squared_distances(chunk, features).kthvalue(k + 1, dim=1).values
        for chunk in features.split(batch_size)
    ]
    return torch.cat(radii)


def manifold_coverage(
    points: Tensor, centres: Tensor, radii: Tensor, batch_size: int = 1024
) -> float:
    """Share of ``points`` (N, D) inside at least one ball (``centres`` (M, D), ``radii`` (M,)).

    ``radii`` are squared radii, as :func:`knn_radii` returns them.
    """
    scale = max(points.square().sum(1).max(), centres.square().sum(1).max())
    tolerance = RELATIVE_TOLERANCE * float(scale)
    inside = [
        (_squared_distances(chunk, centres) <= radii[None] + tolerance).any(1)
        for chunk in points.split(batch_size)
    ]
    return float(torch.cat(inside).double().mean())


def precision_recall(
    real_features: np.ndarray | Tensor,
    fake_features: np.ndarray | Tensor,
    k: int = 3,
    batch_size: int = 1024,
) -> PrecisionRecall:
    """Improved precision and recall: k-NN balls estimate each set's manifold.

    Kynkaanniemi et al. 2019, Eq. 1-2: each real feature phi_r has a ball of radius
    NND_k(phi_r), the distance to its k-th nearest neighbour among the real features; a
    point lies on the real manifold if it is inside any ball (a distance <= the radius).
    Precision is the share of generated features on the real manifold, recall the share of
    real features on the generated manifold (balls built on the generated features alike).
    Distances are computed in float64, ``batch_size`` rows at a time (memory
    ``batch_size x max(N, M)``).

    Args:
        real_features (np.ndarray | Tensor): shape (N, D), N > k.
        fake_features (np.ndarray | Tensor): shape (M, D), M > k.
        k (int): neighbour that sets each radius (the paper's default 3).
        batch_size (int): rows of the distance matrix per chunk.

    Returns:
        PrecisionRecall: precision and recall, each in [0, 1].

    Raises:
        ValueError: not two (N, D) arrays of equal D with more than k rows each, or k < 1.
    """
    real = torch.as_tensor(real_features).detach().cpu().double()
    fake = torch.as_tensor(fake_features).detach().cpu().double()
    if k < 1:
        raise ValueError(f"precision_recall.k: expected an int >= 1, got {k}.")
    if real.dim() != 2 or fake.dim() != 2 or real.shape[1] != fake.shape[1]:
        raise ValueError(
            f"precision_recall: expected two (N, D) arrays with equal D, got "
            f"{tuple(real.shape)} and {tuple(fake.shape)}."
        )
    if min(len(real), len(fake)) <= k:
        raise ValueError(
            f"precision_recall.k: each set needs more than k points; expected N, M > {k}, "
            f"got N={len(real)}, M={len(fake)}."
        )
    real_radii, fake_radii = knn_radii(real, k, batch_size), knn_radii(fake, k, batch_size)
    return PrecisionRecall(
        precision=manifold_coverage(fake, real, real_radii, batch_size),
        recall=manifold_coverage(real, fake, fake_radii, batch_size),
    )
