"""Gaussian correlated disorder: a smooth Gaussian random field on the grid."""

from __future__ import annotations

import warnings

import numpy as np

from greenreg.physics.base import BaseDisorder, BaseLattice
from greenreg.physics.checks import check_positive
from greenreg.registry import DISORDERS

# negative eigenvalues of the periodic covariance (a Gaussian wider than the grid) that
# are clipped to zero: above this share of the spectrum, the covariance is no longer exact
CLIP_WARN_FRACTION = 1e-2


@DISORDERS.register_module()
class GaussianCorrelatedDisorder(BaseDisorder):
    """Stationary Gaussian field, mean 0, <V(r) V(r')> = s^2 exp(-|r - r'|^2 / (2 xi^2)).

    White noise on the (H, W) grid filtered in Fourier space by the square root of the
    covariance's spectrum (circulant embedding: the field is periodic across the grid's
    edges, distances are minimum-image). The std is ``strength`` in expectation, exactly
    (no per-sample rescaling, which would make the field non-Gaussian); the correlation
    at distance xi is exp(-1/2) ~ 0.61. Distances are grid offsets times
    ``lattice.grid_spacing``, in lattice constants (on the honeycomb brick wall, off by at
    most 1/(2 sqrt 3) vertically). If xi is comparable to the grid, negative eigenvalues of
    the periodic covariance are clipped to 0 and a warning names the share clipped.

    Args:
        strength (float): s >= 0, the std of V, units of t.
        correlation_length (float): xi > 0, lattice constants.

    Example:
        ``dict(type='GaussianCorrelatedDisorder', strength=1.0, correlation_length=2.0)``
    """

    def __init__(self, strength: float, correlation_length: float) -> None:
        self.strength = check_positive(
            "GaussianCorrelatedDisorder.strength (disorder.strength)", strength, True
        )
        self.correlation_length = check_positive(
            "GaussianCorrelatedDisorder.correlation_length (disorder.correlation_length)",
            correlation_length,
        )
        self._filters: dict = {}

    def covariance(self, lattice: BaseLattice) -> np.ndarray:
        """C(offset) / s^2 on the periodic grid, shape (H, W); C[0, 0] = 1."""
        height, width = lattice.grid_shape
        dy, dx = lattice.grid_spacing
        rows, columns = np.arange(height), np.arange(width)
        y = dy * np.minimum(rows, height - rows)[:, None]  # (H, 1), minimum image
        x = dx * np.minimum(columns, width - columns)[None, :]  # (1, W)
        return np.exp(-(x**2 + y**2) / (2 * self.correlation_length**2))

    def _filter(self, lattice: BaseLattice) -> np.ndarray:
        key = (tuple(lattice.grid_shape), tuple(lattice.grid_spacing))
        if key not in self._filters:
            spectrum = np.fft.rfft2(self.covariance(lattice)).real  # (H, W // 2 + 1)
            clipped = -spectrum[spectrum < 0].sum() / np.abs(spectrum).sum()
            if clipped > CLIP_WARN_FRACTION:
                warnings.warn(
                    f"GaussianCorrelatedDisorder: correlation_length {self.correlation_length}"
                    f" is not small against the {key[0]} grid; {clipped:.1%} of the periodic "
                    f"covariance's spectrum clipped, so the covariance is only approximate.",
                    stacklevel=3,
                )
            self._filters[key] = np.sqrt(np.clip(spectrum, 0.0, None))
        return self._filters[key]

    def sample(self, lattice: BaseLattice, rng: np.random.Generator) -> np.ndarray:
        """One field, shape (N,), units of t, grid order."""
        shape = tuple(lattice.grid_shape)
        noise = rng.standard_normal(shape)
        field = np.fft.irfft2(np.fft.rfft2(noise) * self._filter(lattice), s=shape)  # (H, W)
        return self.strength * lattice.from_grid(field)
