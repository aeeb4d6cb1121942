"""KwantLeadsLDOSSolver: the open system, against the chain's closed forms and kwant's G."""

import kwant
import numpy as np
import pytest

from greenreg.physics import (
    AndersonDisorder,
    BaseLattice,
    ChainLattice,
    HoneycombLattice,
    KwantLeadsLDOSSolver,
    SquareLattice,
)
from greenreg.registry import LDOS_SOLVERS
from tests.physics.closed_forms import chain_dos, chain_green


def test_clean_chain_between_leads_is_the_infinite_chain():
    """kwant's own test: 1 / (2 pi) per site at E = 0; 1 / (pi sqrt(4 - E^2)) in general.

    kwant's mode solver is exact to rounding: rtol 1e-9.
    """
    energies = np.array([0.0, -1.5, 0.4, 1.9])
    ldos = KwantLeadsLDOSSolver().ldos(ChainLattice(5), None, energies)
    np.testing.assert_allclose(ldos[0], 1 / (2 * np.pi), rtol=1e-9)
    np.testing.assert_allclose(ldos, np.array([[chain_dos(e)] * 5 for e in energies]), rtol=1e-9)


def test_clean_chain_ldos_integrates_to_one_per_site():
    """E = 2 cos(theta): rho dE = (1 / pi) d theta; Gauss-Legendre in theta, atol 1e-9."""
    nodes, weights = np.polynomial.legendre.leggauss(40)
    theta = np.pi * (nodes + 1) / 2
    ldos = KwantLeadsLDOSSolver().ldos(ChainLattice(3), None, 2 * np.cos(theta))  # (40, 3)
    integral = (np.pi / 2) * weights @ (ldos * 2 * np.sin(theta)[:, None])
    np.testing.assert_allclose(integral, 1.0, atol=1e-9)


def test_impurity_bound_state_is_missed_without_broadening_and_kept_with_it():
    """Chain with V = -3 on one site: a bound state at E_b = -sqrt(V^2 + 4) below the band.

    In the band the impurity site's LDOS is sqrt(4 - E^2) / (pi (4 - E^2 + V^2)), which holds
    only 1 - |V| / sqrt(V^2 + 4) of its weight; kwant.ldos is 0 at E_b (no lead mode there).
    With eta > 0, G(E_b + i eta) includes the bound state: ~ |psi_b(0)|^2 / (pi eta).
    """
    lattice, strength = ChainLattice(5), -3.0
    potential = np.zeros(5)
    potential[2] = strength
    energies = np.array([-1.2, 0.0, 1.5])
    site = KwantLeadsLDOSSolver().ldos(lattice, potential, energies)[:, 2]
    np.testing.assert_allclose(
        site, np.sqrt(4 - energies**2) / (np.pi * (4 - energies**2 + strength**2)), rtol=1e-9
    )
    bound = -np.sqrt(strength**2 + 4)
    assert KwantLeadsLDOSSolver().ldos(lattice, potential, [bound]).max() == 0.0
    eta, weight = 1e-3, abs(strength) / np.sqrt(strength**2 + 4)
    broadened = KwantLeadsLDOSSolver(broadening=eta).ldos(lattice, potential, [bound])[0, 2]
    assert broadened == pytest.approx(weight / (np.pi * eta), rel=1e-3)  # band part: O(eta)


def test_broadened_clean_chain_is_the_closed_form_at_complex_energy():
    """Sigma(z) continued analytically by kwant: every site gets -Im g(E + i eta) / pi."""
    energies, eta = np.array([-2.0, -1.0, 0.2, 1.99]), 0.15
    ldos = KwantLeadsLDOSSolver(broadening=eta).ldos(ChainLattice(6), None, energies)
    expected = [-chain_green(e + 1j * eta).imag / np.pi for e in energies]
    np.testing.assert_allclose(ldos, np.repeat(np.array(expected)[:, None], 6, 1), rtol=1e-9)


def open_green_ldos(fsyst, energy: float) -> np.ndarray:
    """-Im [(E - H - sum Sigma_lead(E))^-1]_ii / pi, dense, in kwant's site order."""
    matrix = energy * np.eye(len(fsyst.sites)) - fsyst.hamiltonian_submatrix(sparse=False)
    for lead, interface in zip(fsyst.leads, fsyst.lead_interfaces):
        matrix[np.ix_(interface, interface)] -= lead.selfenergy(energy)
    return -np.diag(np.linalg.inv(matrix)).imag / np.pi


@pytest.mark.parametrize(
    "lattice, num_leads",
    [(SquareLattice(8), 2), (SquareLattice(8), 4), (HoneycombLattice(5), 2)],
    ids=["square-2", "square-4", "honeycomb-2"],
)
def test_scattering_ldos_is_the_open_systems_green_function(lattice, num_leads):
    """Anderson W = 2: kwant.ldos (scattering states) = -Im G^r_ii / pi with the leads'
    self-energies, at energies inside the leads' band where no bound state sits; rtol 1e-8."""
    potential = AndersonDisorder(2.0).sample(lattice, np.random.default_rng(1))
    energies = np.array([-2.2, -0.6, 0.35, 1.4])
    solver = KwantLeadsLDOSSolver(num_leads=num_leads)
    ldos = solver.ldos(lattice, potential, energies)
    fsyst = solver.open_system(lattice, potential)
    assert len(fsyst.leads) == num_leads
    order = lattice.grid_index(fsyst)
    for row, energy in enumerate(energies):
        np.testing.assert_allclose(ldos[row, order], open_green_ldos(fsyst, energy), rtol=1e-8)
    tiny = KwantLeadsLDOSSolver(broadening=1e-9, num_leads=num_leads)
    # eta = 1e-9 moves each value by O(eta / level spacing of the leads' modes): atol 1e-7
    np.testing.assert_allclose(tiny.ldos(lattice, potential, energies), ldos, rtol=1e-6, atol=1e-7)


def test_kwant_ldos_needs_leads():
    """Why this solver attaches leads: kwant 1.5 refuses a closed system outright."""
    fsyst = SquareLattice(4).builder().finalized()
    with pytest.raises(ValueError, match="no leads"):
        kwant.ldos(fsyst, 0.5)


class LeadlessLattice(SquareLattice):
    def lead_builders(self):
        return BaseLattice.lead_builders(self)


def test_rejects_more_leads_than_the_lattice_defines():
    with pytest.raises(
        ValueError,
        match=r"num_leads \(solver\.num_leads\): HoneycombLattice defines 2 leads.*got 4",
    ):
        KwantLeadsLDOSSolver(num_leads=4).ldos(HoneycombLattice(3), None, [0.5])
    with pytest.raises(ValueError, match="defines 0 leads"):
        KwantLeadsLDOSSolver().ldos(LeadlessLattice(3), None, [0.5])


@pytest.mark.parametrize(
    "cfg, match",
    [
        (
            dict(broadening=-0.1),
            r"KwantLeadsLDOSSolver\.broadening \(solver\.broadening\).*>= 0, got -0\.1",
        ),
        (dict(num_leads=0), r"num_leads \(solver\.num_leads\).*>= 1, got 0"),
        (dict(num_leads=5), r"num_leads.*1 to 4 leads, got 5"),
    ],
)
def test_rejects_bad_arguments_naming_them(cfg, match):
    with pytest.raises(ValueError, match=match):
        LDOS_SOLVERS.build(dict(type="KwantLeadsLDOSSolver", **cfg))
