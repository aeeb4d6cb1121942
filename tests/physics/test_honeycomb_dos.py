"""Clean honeycomb: the Dirac-point DOS and the band edges at +-3t."""

import numpy as np
import pytest

from greenreg.physics import ExactGreenLDOSSolver, HoneycombLattice
from tests.physics.closed_forms import honeycomb_dos, lorentz_broadened


def test_closed_form_vanishes_linearly_at_the_dirac_point():
    """The reference itself: slope 1 / (sqrt(3) pi) per site, zero at 0 and beyond 3t."""
    for energy in (1e-4, -1e-4):  # next order is O(E^2): relative 1e-4 at most
        assert honeycomb_dos(energy) / abs(energy) * np.sqrt(3) * np.pi == pytest.approx(
            1, rel=1e-4
        )
    assert honeycomb_dos(0.0) == 0.0 and honeycomb_dos(3.01) == 0.0


def test_bulk_site_follows_the_broadened_dirac_dos():
    """20 x 20 cells, eta = 0.2: a centre site vs the closed form convolved with the Lorentzian.

    The broadened reference keeps the dip: rho(0) is only the Lorentzian tails of the linear
    DOS. Edge reflections (10 rows away) are damped as for the square lattice; measured
    <= 0.3% at these energies, so 1.5%.
    """
    eta, lattice = 0.2, HoneycombLattice(20)
    energies = np.array([0.0, 0.5, -0.5, 1.5, 2.5, -2.5])
    ldos = lattice.to_grid(ExactGreenLDOSSolver(eta).ldos(lattice, None, energies))
    reference = [lorentz_broadened(honeycomb_dos, e, eta, 3.0, (-1.0, 0.0, 1.0)) for e in energies]
    for column in (20, 21):  # one site of each sublattice
        np.testing.assert_allclose(ldos[:, 10, column], reference, rtol=1.5e-2)
    # the Dirac dip: rho(0) / rho(0.5) = 0.53 at eta = 0.2 (-> 0 as eta -> 0); a metal ~1
    assert ldos[0, 10, 20] < 0.6 * ldos[1, 10, 20]


def test_clean_spectrum_fills_the_band_up_to_three_t():
    """Edges at +-3t: the flake's extreme levels sit inside, within finite-size distance.

    The top state of a 20-row flake is k ~ pi / 21 from Gamma: 3t - E_max ~ 0.02t; 0.05.
    """
    levels = np.linalg.eigvalsh(HoneycombLattice(20, hopping=1.0).hamiltonian().toarray())
    assert HoneycombLattice(20).band_edges == (-3.0, 3.0)
    assert -3.0 <= levels.min() < -2.95 and 2.95 < levels.max() <= 3.0
