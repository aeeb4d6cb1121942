"""Closed-form densities of states the solvers are tested against (units of t = 1)."""

from __future__ import annotations

import numpy as np
from scipy.integrate import quad
from scipy.special import ellipk


def chain_green(z: complex) -> complex:
    """Infinite chain G_00(z) = 1 / sqrt(z^2 - 4), the branch decaying as 1/z (Im z > 0)."""
    return 1 / (np.sqrt(z - 2) * np.sqrt(z + 2))


def chain_dos(energy: float) -> float:
    """Infinite chain LDOS per site, 1 / (pi sqrt(4 - E^2)) inside the band."""
    return 1 / (np.pi * np.sqrt(4 - energy**2)) if abs(energy) < 2 else 0.0


def square_dos(energy: float) -> float:
    """Square lattice DOS per site, K(m) / (2 pi^2), m = 1 - E^2 / 16 (Economou, Green's Functions, ch. 5)."""
    return ellipk(1 - energy**2 / 16) / (2 * np.pi**2) if 0 < abs(energy) < 4 else 0.0


def honeycomb_dos(energy: float) -> float:
    """Honeycomb DOS per site (Hobson & Nierenberg 1953; Castro Neto et al. RMP 2009, Eq. 14).

    RMP's Eq. 14 counts spin and two sites per cell; per site and spinless it is a quarter:
    |E| / (pi^2 sqrt(Z0)) K(Z1 / Z0), so |E| / (sqrt(3) pi) near the Dirac point.
    """
    e = abs(energy)
    if e == 0 or e >= 3:
        return 0.0
    inner = (1 + e) ** 2 - (e * e - 1) ** 2 / 4
    z0, z1 = (inner, 4 * e) if e <= 1 else (4 * e, inner)
    return e / (np.pi**2 * np.sqrt(z0)) * ellipk(z1 / z0)


def lorentz_broadened(dos, energy: float, eta: float, band: float, kinks: tuple) -> float:
    """The integral of dos(x) L_eta(E - x) over [-band, band] (quad, singular points given)."""
    points = sorted({x for x in (*kinks, energy) if -band < x < band})
    integrand = lambda x: dos(x) * (eta / np.pi) / ((energy - x) ** 2 + eta**2)  # noqa: E731
    return quad(integrand, -band, band, points=points, limit=400)[0]
