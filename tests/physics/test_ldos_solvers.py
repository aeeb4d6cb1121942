"""The LDOS-solver contract, shared by every registered solver: shapes, sum rules, errors."""

import numpy as np
import pytest
from numpy.polynomial import chebyshev

from greenreg.physics import (
    AndersonDisorder,
    BaseLDOSSolver,
    ExactGreenLDOSSolver,
    KPMLDOSSolver,
    KwantLeadsLDOSSolver,
    SquareLattice,
    check_energies,
    spectral_window,
)
from greenreg.physics.kpm_moments import SPECTRUM_MARGIN
from greenreg.registry import LDOS_SOLVERS
from tests.physics.test_kwant_leads_ldos_solver import open_green_ldos

CONFIGS = [
    dict(type="ExactGreenLDOSSolver", broadening=0.1),
    dict(type="ExactGreenLDOSSolver", broadening=0.1, method="sparse"),
    dict(type="KPMLDOSSolver", num_moments=120),
    dict(type="KPMLDOSSolver", num_moments=800, broadening=0.1),
    dict(type="KPMLDOSSolver", num_moments=120, num_vectors=8, seed=1),
    dict(type="KwantLeadsLDOSSolver"),
    dict(type="KwantLeadsLDOSSolver", broadening=0.1, num_leads=4),
]
IDS = ["exact", "exact-sparse", "kpm-jackson", "kpm-lorentz", "kpm-random", "leads", "leads-eta"]
ENERGIES = np.array([-3.3, -1.0, 0.0, 0.6, 2.5])


@pytest.fixture(scope="module")
def disordered():
    lattice = SquareLattice(6)
    potential = AndersonDisorder(2.0).sample(lattice, np.random.default_rng(5))
    return lattice, potential


@pytest.mark.parametrize("cfg", CONFIGS, ids=IDS)
def test_builds_and_returns_a_reproducible_map_per_energy(cfg, disordered):
    lattice, potential = disordered
    solver = LDOS_SOLVERS.build(dict(cfg))
    assert isinstance(solver, BaseLDOSSolver) and type(solver).__name__ == cfg["type"]
    assert isinstance(solver.physics, str) and solver.physics.endswith(".")
    ldos = solver.ldos(lattice, potential, ENERGIES)
    assert ldos.shape == (len(ENERGIES), lattice.num_sites) and ldos.dtype == np.float64
    assert np.isfinite(ldos).all()
    np.testing.assert_array_equal(ldos, solver.ldos(lattice, potential, ENERGIES))
    assert lattice.to_grid(ldos).shape == (len(ENERGIES), 6, 6)


def total_dos(cfg: dict, lattice, potential) -> np.ndarray:
    """Sum over sites of the LDOS, derived without the solver: (E,)."""
    matrix = lattice.hamiltonian(potential).toarray()
    levels = np.linalg.eigvalsh(matrix)
    if cfg["type"] == "KwantLeadsLDOSSolver":  # -Im Tr G_open / pi (eta = 0)
        solver = KwantLeadsLDOSSolver(**{k: v for k, v in cfg.items() if k != "type"})
        fsyst = solver.open_system(lattice, potential)
        return np.array([open_green_ldos(fsyst, e).sum() for e in ENERGIES])
    if cfg["type"] == "KPMLDOSSolver" and "broadening" not in cfg:  # Jackson series of Tr
        low, high = spectral_window(lattice, potential)
        a, b = (high - low) / (2 - SPECTRUM_MARGIN), (high + low) / 2
        m = np.arange(cfg["num_moments"])
        q = np.pi / (len(m) + 1)
        jackson = ((len(m) - m + 1) * np.cos(q * m) + np.sin(q * m) / np.tan(q)) / (len(m) + 1)
        traces = np.cos(m[:, None] * np.arccos((levels - b) / a)[None, :]).sum(1)  # Tr T_m
        x = (ENERGIES - b) / a
        return chebyshev.chebval(x, jackson * traces * np.where(m == 0, 1, 2)) / (
            np.pi * a * np.sqrt(1 - x**2)
        )
    eta = cfg["broadening"]  # Lorentzians at the eigenvalues
    return ((eta / np.pi) / ((ENERGIES[:, None] - levels) ** 2 + eta**2)).sum(1)


@pytest.mark.parametrize(
    "cfg", [c for c, i in zip(CONFIGS, IDS) if i not in ("kpm-random", "leads-eta")],
    ids=[i for i in IDS if i not in ("kpm-random", "leads-eta")],
)  # fmt: skip
def test_sum_over_sites_is_the_total_dos(cfg, disordered):
    """Tr of the spectral function, from eigenvalues (or -Im Tr G_open for leads).

    Exact and Jackson: rounding (rtol 1e-9). KPM-Lorentz: truncation |w|^800 ~ 1e-7 of the
    largest value. Leads: kwant's modes vs a dense inverse, rtol 1e-8. Random vectors are
    stochastic: their trace estimate is tested in test_kpm_ldos_solver.py.
    """
    lattice, potential = disordered
    ldos = LDOS_SOLVERS.build(dict(cfg)).ldos(lattice, potential, ENERGIES)
    expected = total_dos(cfg, lattice, potential)
    atol = 1e-6 * expected.max() if cfg.get("num_moments") == 800 else 1e-12
    np.testing.assert_allclose(ldos.sum(1), expected, rtol=1e-8, atol=atol)


@pytest.mark.parametrize("cfg", CONFIGS, ids=IDS)
def test_rejects_non_finite_and_out_of_band_energies_naming_them(cfg, disordered):
    lattice, potential = disordered
    solver = LDOS_SOLVERS.build(dict(cfg))
    name = cfg["type"]
    with pytest.raises(ValueError, match=rf"{name}\.ldos\(energies\): expected finite.*nan"):
        solver.ldos(lattice, potential, np.array([0.0, np.nan]))
    shift = np.abs(potential).max()
    with pytest.raises(
        ValueError, match=rf"{name}\.ldos\(energies\): energy 9 lies outside.*\[-4, 4\]"
    ):
        solver.ldos(lattice, potential, np.array([0.5, 9.0]))
    with pytest.raises(ValueError, match=r"non-empty 1-D"):
        solver.ldos(lattice, potential, np.zeros((2, 2)))
    with pytest.raises(ValueError, match=rf"{name}\.ldos\(potential\).*\(36,\)"):
        solver.ldos(lattice, potential[:-1], ENERGIES)
    solver.ldos(lattice, potential, np.array([-4 - 0.99 * shift]))  # inside the window: fine


def test_check_energies_window_is_the_band_widened_by_the_largest_potential():
    lattice = SquareLattice(3)
    potential = np.zeros(9)
    potential[4] = -1.5
    np.testing.assert_array_equal(check_energies(lattice, [-5.5, 5.5], potential), [-5.5, 5.5])
    with pytest.raises(ValueError, match=r"energy -5.6 .*max\|V\| = 1.5, i.e. in \[-5.5, 5.5\]"):
        check_energies(lattice, [-5.6], potential)
    with pytest.raises(ValueError, match=r"energy 4.1 .*\[-4, 4\]"):
        check_energies(lattice, 4.1)


def test_every_solver_is_registered_and_exported():
    for solver in (ExactGreenLDOSSolver, KPMLDOSSolver, KwantLeadsLDOSSolver):
        assert LDOS_SOLVERS.get(solver.__name__) is solver
