"""Chebyshev moments of the LDOS and their resummation (Weisse et al., RMP 78, 275 (2006)).

The Hamiltonian is rescaled as H~ = (H - b) / a with the spectrum inside (-1, 1) (their
Eq. 24). The moments of site i are mu_m(i) = <i| T_m(H~) |i> (Eq. 30), so that
rho_i(E) = sum_n |psi_n(i)|^2 delta(E - E_n) = [mu_0 + 2 sum_m mu_m T_m(x)] /
(pi a sqrt(1 - x^2)), x = (E - b) / a. Functions here are the numerics of
``KPMLDOSSolver``; kwant's ``SpectralDensity`` computes the same moments one vector at a
time (tested equal), this module all sites at once as sparse x dense products.
"""

from __future__ import annotations

import kwant
import numpy as np
import scipy.sparse as sp

# kwant's default margin: the rescaled spectrum lies in [-1 + eps/2, 1 - eps/2]
SPECTRUM_MARGIN = 0.05
# unit vectors per block in the local recursion: memory 3 x N x 256 floats
COLUMNS_PER_BLOCK = 256


def rescale(hamiltonian: sp.csr_matrix, window: tuple[float, float]) -> tuple:
    """(H~, a, b): H~ = (H - b) / a maps ``window`` (which holds the spectrum) into (-1, 1)."""
    low, high = window
    a, b = (high - low) / (2 - SPECTRUM_MARGIN), (high + low) / 2
    shift = sp.identity(hamiltonian.shape[0], format="csr") * b
    return ((hamiltonian - shift) / a).tocsr(), a, b


def local_moments(scaled: sp.csr_matrix, num_moments: int) -> np.ndarray:
    """mu_m(i) = <i|T_m(H~)|i> for every site, shape (M, N); exact up to rounding.

    Runs the recursion on blocks of unit vectors and uses the doubling relations
    mu_2n = 2 <a_n|a_n> - mu_0, mu_2n+1 = 2 <a_n+1|a_n> - mu_1 (Eqs. 34-35), so M moments
    cost about M / 2 sparse x dense products.
    """
    size = scaled.shape[0]
    moments = np.empty((num_moments, size))
    for start in range(0, size, COLUMNS_PER_BLOCK):
        stop = min(start + COLUMNS_PER_BLOCK, size)
        moments[:, start:stop] = _block_moments(scaled, num_moments, start, stop)
    return moments


def _block_moments(scaled: sp.csr_matrix, num_moments: int, start: int, stop: int) -> np.ndarray:
    width = stop - start
    previous = np.zeros((scaled.shape[0], width))  # a_0: unit vectors of sites start..stop-1
    previous[np.arange(start, stop), np.arange(width)] = 1.0
    current = scaled[:, start:stop].toarray()  # a_1 = H~ a_0, (N, block)
    moments = np.empty((num_moments, width))
    moments[0] = 1.0
    moments[1] = current[np.arange(start, stop), np.arange(width)]
    n = 1
    while 2 * n < num_moments:
        moments[2 * n] = 2 * np.einsum("ij,ij->j", current, current) - moments[0]
        if 2 * n + 1 < num_moments:
            following = 2 * (scaled @ current) - previous  # a_n+1, (N, block)
            moments[2 * n + 1] = 2 * np.einsum("ij,ij->j", following, current) - moments[1]
            previous, current = current, following
        n += 1
    return moments


def stochastic_moments(
    scaled: sp.csr_matrix, num_moments: int, num_vectors: int, rng: np.random.Generator
) -> np.ndarray:
    """Unbiased estimates of mu_m(i) from R random-phase vectors r, shape (M, N).

    mu_m(i) ~ mean_r Re[conj(r_i) (T_m(H~) r)_i] (kwant's estimator with a local density
    operator); E[conj(r_i) r_j] = delta_ij makes it unbiased, with a variance per site of
    sum_{j != i} T_m(H~)_ij^2 / (2R): the error falls only as R^-1/2.
    """
    size = scaled.shape[0]
    vectors = np.exp(2j * np.pi * rng.random((size, num_vectors)))  # (N, R), |r_i| = 1
    moments = np.empty((num_moments, size))
    previous, current = vectors, scaled @ vectors
    moments[0] = 1.0
    moments[1] = np.mean((vectors.conj() * current).real, axis=1)
    for m in range(2, num_moments):
        previous, current = current, 2 * (scaled @ current) - previous
        moments[m] = np.mean((vectors.conj() * current).real, axis=1)
    return moments


def jackson_density(moments: np.ndarray, x: np.ndarray, a: float) -> np.ndarray:
    """Jackson-kernel resummation at rescaled energies x in (-1, 1); shape (E, N).

    Uses ``kwant.kpm.jackson_kernel`` (Eq. 71): a positive, nearly Gaussian broadening of
    each level with std ~ pi a / M in energy (Eq. 73), wider near the ends of the window.
    """
    damped = kwant.kpm.jackson_kernel(moments)  # (M, N)
    order = np.arange(moments.shape[0])
    chebyshev = np.cos(order[None, :] * np.arccos(x)[:, None])  # (E, M): T_m(x)
    chebyshev[:, 1:] *= 2
    weight = np.pi * a * np.sqrt(1 - x**2)  # (E,)
    return (chebyshev @ damped) / weight[:, None]


def resolvent_density(moments: np.ndarray, z: np.ndarray, a: float) -> np.ndarray:
    """-Im G_ii(E + i eta) / pi from the moments, z = (E + i eta - b) / a; shape (E, N).

    Exact identity 1 / (z - y) = 2w / (1 - w^2) [1 + 2 sum_m T_m(y) w^m] with
    w = z - sqrt(z^2 - 1), |w| < 1, so G_ii = (2w / (a (1 - w^2))) [mu_0 + 2 sum mu_m w^m]:
    the Lorentzian broadening of the exact solver, with a truncation error ~ |w|^M.
    """
    w = resolvent_ratio(z)  # (E,)
    powers = w[:, None] ** np.arange(moments.shape[0])[None, :]  # (E, M)
    powers[:, 1:] *= 2
    green = (2 * w / (a * (1 - w**2)))[:, None] * (powers @ moments)  # (E, N)
    return -green.imag / np.pi


def resolvent_ratio(z: np.ndarray) -> np.ndarray:
    """The ratio w = z - sqrt(z^2 - 1) on the branch |w| < 1 (z off [-1, 1]); shape of z."""
    w = z - np.sqrt(z - 1) * np.sqrt(z + 1)
    return np.where(np.abs(w) < 1, w, 1 / w)
