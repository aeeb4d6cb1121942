"""KPMLDOSSolver against kwant's KPM, an eigendecomposition and the exact solver."""

import kwant
import numpy as np
import pytest
from numpy.polynomial import chebyshev

from greenreg.physics import (
    AndersonDisorder,
    ExactGreenLDOSSolver,
    KPMLDOSSolver,
    SquareLattice,
    spectral_window,
)
from greenreg.physics.kpm_moments import SPECTRUM_MARGIN
from greenreg.registry import LDOS_SOLVERS

ENERGIES = np.array([-4.5, -2.0, 0.0, 0.7, 3.9])


@pytest.fixture(scope="module")
def disordered():
    """8 x 8 square lattice, Anderson W = 2: spectral window [-5, 5] or so."""
    lattice = SquareLattice(8)
    potential = AndersonDisorder(2.0).sample(lattice, np.random.default_rng(0))
    return lattice, potential


def rescaling(lattice, potential):
    low, high = spectral_window(lattice, potential)
    return (high - low) / (2 - SPECTRUM_MARGIN), (high + low) / 2


def test_local_vectors_equal_kwants_spectral_density(disordered):
    """kwant.kpm.SpectralDensity, one LocalVectors vector per site, same bounds: same numbers."""
    lattice, potential = disordered
    fsyst = lattice.builder(potential).finalized()
    density = kwant.kpm.SpectralDensity(
        fsyst,
        num_moments=60,
        num_vectors=None,
        vector_factory=kwant.kpm.LocalVectors(fsyst),
        mean=False,
        bounds=spectral_window(lattice, potential),
        eps=SPECTRUM_MARGIN,
    )
    expected = np.empty((len(ENERGIES), lattice.num_sites))
    expected[:, lattice.grid_index(fsyst)] = np.real(density(ENERGIES))  # (E, N)
    ldos = KPMLDOSSolver(num_moments=60).ldos(lattice, potential, ENERGIES)
    np.testing.assert_allclose(ldos, expected, rtol=1e-10, atol=1e-12)


def test_jackson_ldos_is_the_jackson_series_of_the_exact_spectrum(disordered):
    """Re-derived from eigh: mu_m(i) = sum_n |psi_n(i)|^2 T_m(y_n), Jackson g_m (Weisse Eq. 71).

    Only rounding separates the two (rtol 1e-9): the moments are exact with local vectors.
    """
    lattice, potential = disordered
    num_moments = 150
    a, b = rescaling(lattice, potential)
    levels, states = np.linalg.eigh(lattice.hamiltonian(potential).toarray())
    moments = (
        np.stack(
            [
                chebyshev.chebval((levels - b) / a, np.eye(num_moments)[m])
                for m in range(num_moments)
            ]
        )
        @ (states**2).T
    )  # (M, N)
    m, q = np.arange(num_moments), np.pi / (num_moments + 1)
    jackson = ((num_moments - m + 1) * np.cos(q * m) + np.sin(q * m) / np.tan(q)) / (
        num_moments + 1
    )
    coefficients = jackson[:, None] * moments * np.where(m == 0, 1, 2)[:, None]
    x = (ENERGIES - b) / a
    expected = chebyshev.chebval(x, coefficients).T / (np.pi * a * np.sqrt(1 - x**2))[:, None]
    ldos = KPMLDOSSolver(num_moments=num_moments).ldos(lattice, potential, ENERGIES)
    np.testing.assert_allclose(ldos, expected, rtol=1e-9, atol=1e-12)
    assert (ldos > -1e-12).all()  # the Jackson kernel is positive


def test_jackson_ldos_integrates_to_one_per_site(disordered):
    """mu_0 = 1: each site holds one state; the window loses only the kernel's far tails.

    Trapezoid on 4001 points across the spectral window: measured 6e-7 at M = 200; 1e-5.
    """
    lattice, potential = disordered
    grid = np.linspace(*spectral_window(lattice, potential), 4001)
    ldos = KPMLDOSSolver(num_moments=200).ldos(lattice, potential, grid)
    np.testing.assert_allclose(np.trapezoid(ldos, grid, axis=0), 1.0, atol=1e-5)


def test_lorentzian_resummation_matches_the_exact_solver(disordered):
    """broadening = eta: the resolvent series; truncation ~ |w|^M = exp(-M eta / a) ~ 1e-7.

    M = 800, eta = 0.1, a ~ 5: measured max error 8e-8 of the largest value, so 1e-6.
    """
    lattice, potential = disordered
    exact = ExactGreenLDOSSolver(0.1).ldos(lattice, potential, ENERGIES)
    ldos = KPMLDOSSolver(num_moments=800, broadening=0.1).ldos(lattice, potential, ENERGIES)
    np.testing.assert_allclose(ldos, exact, atol=1e-6 * exact.max())


def test_too_few_moments_for_the_broadening_warn_with_the_number_needed(disordered):
    lattice, potential = disordered
    with pytest.warns(
        UserWarning, match=r"num_moments \(solver\.num_moments\).*expected num_moments >= \d+"
    ):
        KPMLDOSSolver(num_moments=100, broadening=0.1).ldos(lattice, potential, ENERGIES)


def test_random_vectors_are_unbiased_with_the_predicted_variance(disordered):
    """Random phases r: conj(r_i) (A r)_i has mean A_ii, variance sum_{j != i} A_ij^2 / 2.

    A = -Im G(E + i eta) / pi from eigh. Over 64 sites x 8 seeds with R = 16: the mean error
    must be within 5 standard errors of 0, and the mean squared error within 25% of the
    prediction (512 chi-square-like terms, correlated within a seed: ~10% spread).
    """
    lattice, potential = disordered
    eta, vectors, energy = 0.1, 16, np.array([0.7])
    levels, states = np.linalg.eigh(lattice.hamiltonian(potential).toarray())
    lorentz = (eta / np.pi) / ((energy[0] - levels) ** 2 + eta**2)
    spectral = (states * lorentz) @ states.T  # A, (N, N)
    exact = np.diag(spectral)
    predicted = ((spectral**2).sum(1) - exact**2) / (2 * vectors)  # per-site variance
    errors = np.stack([
        KPMLDOSSolver(800, num_vectors=vectors, seed=s, broadening=eta).ldos(lattice, potential, energy)[0] - exact
        for s in range(8)
    ])  # fmt: skip
    assert abs(errors.mean()) < 5 * np.sqrt(predicted.mean() / errors.size)
    assert (errors**2).mean() / predicted.mean() == pytest.approx(1.0, rel=0.25)
    # the site sum is the stochastic trace estimate of the total DOS
    total = errors.sum(1)
    assert np.abs(total).max() < 5 * np.sqrt((spectral**2).sum() - (exact**2).sum()) / np.sqrt(
        vectors
    )


def test_same_seed_same_map_and_local_vectors_ignore_it(disordered):
    lattice, potential = disordered
    first = KPMLDOSSolver(100, num_vectors=4, seed=3).ldos(lattice, potential, ENERGIES)
    np.testing.assert_array_equal(
        first, KPMLDOSSolver(100, num_vectors=4, seed=3).ldos(lattice, potential, ENERGIES)
    )
    np.testing.assert_array_equal(
        KPMLDOSSolver(100, seed=1).ldos(lattice, potential, ENERGIES),
        KPMLDOSSolver(100, seed=2).ldos(lattice, potential, ENERGIES),
    )


@pytest.mark.parametrize(
    "cfg, match",
    [
        (dict(num_moments=1), r"KPMLDOSSolver\.num_moments \(solver\.num_moments\).*>= 2, got 1"),
        (dict(num_moments=100.5), r"num_moments.*got 100\.5"),
        (dict(num_vectors=0), r"num_vectors \(solver\.num_vectors\).*>= 1, got 0"),
        (dict(seed=-1), r"seed \(solver\.seed\).*got -1"),
        (dict(broadening=0.0), r"broadening \(solver\.broadening\).*> 0, got 0\.0"),
    ],
)
def test_rejects_bad_arguments_naming_them(cfg, match):
    with pytest.raises(ValueError, match=match):
        LDOS_SOLVERS.build(dict(type="KPMLDOSSolver", **cfg))
