"""LDOS of the open system: the sample between semi-infinite clean leads (kwant)."""

from __future__ import annotations

import kwant
import numpy as np
import scipy.sparse as sp

from greenreg.physics.base import BaseLattice, BaseLDOSSolver
from greenreg.physics.checks import check_energies, check_positive, check_potential, check_size
from greenreg.physics.green import inverse_diagonal, spectral_ldos
from greenreg.registry import LDOS_SOLVERS


@LDOS_SOLVERS.register_module()
class KwantLeadsLDOSSolver(BaseLDOSSolver):
    """LDOS of the sample with ``num_leads`` clean semi-infinite leads attached (open system).

    Leads come from ``lattice.lead_builders()`` (left, right, then bottom, top): clean
    continuations of the lattice, so a clean sample between two leads is an infinite strip
    (for the chain, every site's LDOS is 1 / (pi sqrt(4t^2 - E^2))). With
    ``broadening=0``, ``kwant.ldos`` sums the scattering states at E; this equals
    -Im G^r_ii(E) / pi when no bound state lies at E, but misses bound states (e.g. below
    the leads' band, from a deep potential); kwant 1.5 refuses a system without leads
    ("System contains no leads."; older notes say it returns zeros). With
    ``broadening`` eta > 0 it returns -Im[(z - H - Sigma(z))^-1]_ii / pi at z = E + i eta,
    Sigma = sum of kwant's lead self-energies (analytic in z): the open-system LDOS
    convolved with a Lorentzian of half-width eta, bound states included.

    Args:
        broadening (float): eta >= 0, Lorentzian half-width, units of t; 0 = ``kwant.ldos``.
        num_leads (int): leads to attach, 1 to 4 (the lattice must define that many).

    Example:
        ``dict(type='KwantLeadsLDOSSolver', num_leads=2)``
    """

    physics = (
        "Open system: the sample between clean semi-infinite leads, LDOS from kwant's "
        "scattering states (eta = 0; bound states outside the leads' bands are missed, and "
        "kwant.ldos needs at least one lead) or -Im G_ii(E + i eta) / pi with the leads' "
        "self-energies (eta > 0, bound states included)."
    )

    def __init__(self, broadening: float = 0.0, num_leads: int = 2) -> None:
        self.broadening = check_positive(
            "KwantLeadsLDOSSolver.broadening (solver.broadening)", broadening, allow_zero=True
        )
        self.num_leads = check_size(
            "KwantLeadsLDOSSolver.num_leads (solver.num_leads)", num_leads, minimum=1
        )
        if self.num_leads > 4:
            raise ValueError(
                f"KwantLeadsLDOSSolver.num_leads (solver.num_leads): out of range; expected "
                f"1 to 4 leads, got {num_leads}."
            )

    def open_system(self, lattice: BaseLattice, potential: np.ndarray) -> kwant.system.System:
        """The finalized sample with the first ``num_leads`` of the lattice's leads."""
        leads = lattice.lead_builders()
        if len(leads) < self.num_leads:
            raise ValueError(
                f"KwantLeadsLDOSSolver.num_leads (solver.num_leads): {type(lattice).__name__} "
                f"defines {len(leads)} leads; expected at most {len(leads)}, got "
                f"{self.num_leads}."
            )
        syst = lattice.builder(potential)
        for lead in leads[: self.num_leads]:
            syst.attach_lead(lead)
        return syst.finalized()

    def ldos(self, lattice: BaseLattice, potential: np.ndarray, energies: np.ndarray) -> np.ndarray:
        """LDOS, shape (E, N), states per site per unit energy, grid order.

        Args:
            lattice (BaseLattice): a lattice with at least ``num_leads`` leads.
            potential (np.ndarray): on-site energies of the sample, shape (N,), units of t.
            energies (np.ndarray): shape (E,), units of t, inside the spectral window.

        Returns:
            np.ndarray: rho_i(E), shape (E, N), float64.
        """
        potential = check_potential(lattice, potential, "KwantLeadsLDOSSolver.ldos")
        energies = check_energies(lattice, energies, potential, "KwantLeadsLDOSSolver.ldos")
        fsyst = self.open_system(lattice, potential)
        order = lattice.grid_index(fsyst)  # grid index of each of kwant's sites
        result = np.empty((len(energies), lattice.num_sites))
        for row, energy in enumerate(energies):
            if self.broadening == 0:
                result[row, order] = kwant.ldos(fsyst, float(energy))  # one orbital per site
            else:
                result[row, order] = spectral_ldos(
                    inverse_diagonal(self.resolvent_matrix(fsyst, energy + 1j * self.broadening))
                )
        return result

    @staticmethod
    def resolvent_matrix(fsyst: kwant.system.System, z: complex) -> sp.csc_matrix:
        """The matrix z - H - Sigma(z) in kwant's site order, shape (N, N), complex."""
        hamiltonian = fsyst.hamiltonian_submatrix(sparse=True)
        size = hamiltonian.shape[0]
        rows, columns, values = [], [], []
        for lead, interface in zip(fsyst.leads, fsyst.lead_interfaces):
            block = lead.selfenergy(z)  # (I, I) on the interface sites
            rows.append(np.repeat(interface, len(interface)))
            columns.append(np.tile(interface, len(interface)))
            values.append(block.ravel())
        sigma = sp.coo_matrix(
            (np.concatenate(values), (np.concatenate(rows), np.concatenate(columns))),
            shape=(size, size),
        )
        return (z * sp.identity(size, format="csc") - hamiltonian - sigma).tocsc()
