"""ExactGreenLDOSSolver against the chain's and the square lattice's closed forms."""

import numpy as np
import pytest

from greenreg.physics import (
    AndersonDisorder,
    ChainLattice,
    ExactGreenLDOSSolver,
    SquareLattice,
    spectral_window,
)
from greenreg.registry import LDOS_SOLVERS
from tests.physics.closed_forms import chain_dos, chain_green, lorentz_broadened, square_dos

CHAIN_ENERGIES = np.array([-1.5, -0.5, 0.3, 1.0, 1.7])


def test_long_chain_middle_site_is_the_infinite_chain_green_function():
    """N = 2000, sparse LU: the middle site sees the infinite chain at E + i eta.

    Reflections from the ends come back damped by exp(-eta 2000 / v) < e^-20 (v <= 2), so the
    finite-chain value equals -Im g(E + i eta) / pi, g = 1 / sqrt(z^2 - 4), to rounding
    (rtol 1e-8). Against the eta -> 0 form 1 / (pi sqrt(4 - E^2)) the gap is O(eta^2)
    (Re g = 0 inside the band): 1% at eta = 0.02 and |E| <= 1.7 (measured <= 0.2%).
    """
    eta, lattice = 0.02, ChainLattice(2000)
    middle = ExactGreenLDOSSolver(eta, method="sparse").ldos(lattice, None, CHAIN_ENERGIES)[:, 1000]
    at_z = [-chain_green(e + 1j * eta).imag / np.pi for e in CHAIN_ENERGIES]
    np.testing.assert_allclose(middle, at_z, rtol=1e-8)
    np.testing.assert_allclose(middle, [chain_dos(e) for e in CHAIN_ENERGIES], rtol=1e-2)


def test_dense_chain_middle_site_matches_the_closed_form_at_complex_energy():
    """N = 400, eta = 0.1: reflections damped by exp(-0.1 * 400 / 2) = e^-20; rtol 1e-8."""
    eta, lattice = 0.1, ChainLattice(400)
    middle = ExactGreenLDOSSolver(eta).ldos(lattice, None, CHAIN_ENERGIES)[:, 200]
    np.testing.assert_allclose(
        middle, [-chain_green(e + 1j * eta).imag / np.pi for e in CHAIN_ENERGIES], rtol=1e-8
    )


def test_square_lattice_centre_is_the_broadened_elliptic_dos():
    """41 x 41 open lattice, eta = 0.2: the centre site vs K(m) / (2 pi^2) * Lorentzian.

    The reference is the closed form convolved with the same Lorentzian (quad). Waves
    reflected by the edges, 20 sites away, return damped by ~exp(-2 eta 20 / v); measured
    error <= 0.7% at E = +-1, +-2, +-3, so 2%. (Against the unbroadened K(m) the gap is
    O(eta), up to 4.5% here: the Lorentzian's tails.)
    """
    eta, lattice = 0.2, SquareLattice(41)
    energies = np.array([-3.0, -2.0, -1.0, 1.0, 2.0, 3.0])
    centre = lattice.to_grid(ExactGreenLDOSSolver(eta).ldos(lattice, None, energies))[:, 20, 20]
    reference = [lorentz_broadened(square_dos, e, eta, 4.0, (0.0,)) for e in energies]
    np.testing.assert_allclose(centre, reference, rtol=2e-2)


@pytest.fixture(scope="module")
def disordered():
    lattice = SquareLattice(6)
    potential = AndersonDisorder(2.0).sample(lattice, np.random.default_rng(0))
    return lattice, potential


def test_dense_and_sparse_agree_to_rounding(disordered):
    """Eigendecomposition vs LU of (E + i eta - H): independent routes to G_ii."""
    lattice, potential = disordered
    energies = np.array([-4.5, -2.0, 0.0, 0.7, 3.9])
    dense = ExactGreenLDOSSolver(0.05).ldos(lattice, potential, energies)
    sparse = ExactGreenLDOSSolver(0.05, method="sparse").ldos(lattice, potential, energies)
    np.testing.assert_allclose(dense, sparse, rtol=1e-10, atol=1e-13)


def test_each_sites_ldos_integrates_to_its_spectral_weight_in_the_window(disordered):
    """int_lo^hi rho_i = sum_n |psi_n(i)|^2 [arctan((hi - E_n)/eta) - arctan((lo - E_n)/eta)]/pi.

    Trapezoid on 4001 points (step 0.003 << eta = 0.1): measured error 5e-9, so 1e-6. The
    weight is ~0.98: the Lorentzian tails beyond the window hold the rest.
    """
    lattice, potential = disordered
    eta, (low, high) = 0.1, spectral_window(lattice, potential)
    grid = np.linspace(low, high, 4001)
    ldos = ExactGreenLDOSSolver(eta).ldos(lattice, potential, grid)  # (E, N)
    levels, states = np.linalg.eigh(lattice.hamiltonian(potential).toarray())
    inside = (np.arctan((high - levels) / eta) - np.arctan((low - levels) / eta)) / np.pi
    np.testing.assert_allclose(np.trapezoid(ldos, grid, axis=0), states**2 @ inside, atol=1e-6)


@pytest.mark.parametrize(
    "cfg, match",
    [
        (
            dict(broadening=0.0),
            r"ExactGreenLDOSSolver\.broadening \(solver\.broadening\).*> 0, got 0\.0",
        ),
        (dict(broadening=-0.1), r"broadening.*got -0\.1"),
        (dict(broadening=float("inf")), r"broadening.*got inf"),
        (dict(method="cholesky"), r"method \(solver\.method\).*'dense', 'sparse'.*'cholesky'"),
    ],
)
def test_rejects_bad_arguments_naming_them(cfg, match):
    with pytest.raises(ValueError, match=match):
        LDOS_SOLVERS.build(dict(type="ExactGreenLDOSSolver", **cfg))
