"""The physics interfaces: tight-binding lattices, disorder models and LDOS solvers.

Units: energies in units of the nearest-neighbour hopping t (t = 1 by default), positions
in lattice constants, LDOS in states per site per unit energy. Arrays are numpy float64.
A map has N sites; ``lattice.to_grid`` lays per-site values out as an (H, W) image.
"""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from functools import cached_property

import kwant
import numpy as np
import scipy.sparse as sp

from greenreg.physics.checks import check_potential


class BaseLattice(metaclass=ABCMeta):
    """A finite, closed tight-binding lattice built with kwant, H = sum_i V_i n_i - sum t_ij.

    Subclasses list their kwant sites in grid order (row-major over ``grid_shape``), their
    hopping kinds and, optionally, the clean semi-infinite leads an open-system solver may
    attach. The clean hopping matrix is built through kwant once and cached; the on-site
    potential is added as a diagonal, which equals building the whole system through kwant
    (``builder(potential).finalized().hamiltonian_submatrix``, tested).

    Attributes:
        grid_shape (tuple[int, int]): (H, W) of the image the per-site values map to.
        band_edges (tuple[float, float]): [E_min, E_max] of the clean infinite lattice, units
            of t; the clean finite lattice's spectrum lies inside it (a compression of the
            infinite Hamiltonian), and with a potential V inside [E_min + min V, E_max + max V].
    """

    @property
    @abstractmethod
    def grid_shape(self) -> tuple[int, int]:
        """(H, W) of the image the per-site values map to."""

    @property
    @abstractmethod
    def band_edges(self) -> tuple[float, float]:
        """[E_min, E_max] of the clean infinite lattice, units of t."""

    @abstractmethod
    def sites(self) -> list[kwant.builder.Site]:
        """The N kwant sites in grid order (row-major over ``grid_shape``)."""

    def hoppings(self) -> list[tuple[object, float]]:
        """(kwant hopping kind, matrix element) pairs; a hopping t enters as -t.

        By default the nearest neighbours of ``self.lattice`` at -``hopping`` and, where
        ``next_hopping`` is not 0, the next-nearest at -``next_hopping``.
        """
        kinds = [(self.lattice.neighbors(1), -self.hopping)]
        next_hopping = getattr(self, "next_hopping", 0.0)
        if next_hopping:
            kinds.append((self.lattice.neighbors(2), -next_hopping))
        return [(kind, value) for group, value in kinds for kind in group]

    def lead_builders(self) -> list[kwant.Builder]:
        """Clean semi-infinite leads on the edges, in the order left, right, bottom, top.

        Empty here; lattices that support open-system solvers override this. Each lead
        continues the lattice with zero on-site energy and the same hoppings, so a clean
        sample with leads on opposite edges is a perfect infinite strip.
        """
        return []

    @property
    def num_sites(self) -> int:
        """N, the number of sites (one orbital each)."""
        height, width = self.grid_shape
        return height * width

    @property
    def grid_spacing(self) -> tuple[float, float]:
        """Distance between neighbouring grid rows and columns, lattice constants."""
        return (1.0, 1.0)

    @cached_property
    def positions(self) -> np.ndarray:
        """Site positions (x, y) in lattice constants, shape (N, 2), grid order (y = 0 in 1-D)."""
        positions = np.array([site.pos for site in self.sites()], dtype=np.float64)  # (N, dim)
        return np.pad(positions, ((0, 0), (0, 2 - positions.shape[1])))

    @cached_property
    def _site_index(self) -> dict:
        return {site: index for index, site in enumerate(self.sites())}

    def builder(self, potential: np.ndarray | None = None) -> kwant.Builder:
        """The closed system as a kwant Builder (no leads).

        Args:
            potential (np.ndarray | None): on-site energies, shape (N,), units of t;
                None = clean.

        Returns:
            kwant.Builder: N sites with on-site energy V_i and the lattice's hoppings.
        """
        values = check_potential(self, potential, f"{type(self).__name__}.builder")
        syst = kwant.Builder()
        for site, value in zip(self.sites(), values.tolist()):
            syst[site] = value
        for kind, value in self.hoppings():
            syst[kind] = value
        return syst

    def grid_index(self, fsyst: kwant.system.FiniteSystem) -> np.ndarray:
        """Grid index of each site of a finalized system, shape (N,) (kwant sorts sites).

        Raises:
            ValueError: if the system holds a site that is not on this lattice (for instance
                one that ``attach_lead`` added to complete an interface).
        """
        index = self._site_index
        missing = [site for site in fsyst.sites if site not in index]
        if missing or len(fsyst.sites) != self.num_sites:
            raise ValueError(
                f"{type(self).__name__}: the finalized system has {len(fsyst.sites)} sites, "
                f"{len(missing)} of them not on the lattice (e.g. {missing[:1]}); expected "
                f"exactly the lattice's {self.num_sites} sites."
            )
        return np.array([index[site] for site in fsyst.sites], dtype=np.int64)

    @cached_property
    def _clean_hamiltonian(self) -> sp.csr_matrix:
        fsyst = self.builder().finalized()
        matrix = fsyst.hamiltonian_submatrix(sparse=True).tocoo()  # kwant's site order
        order = self.grid_index(fsyst)
        clean = sp.csr_matrix(
            (matrix.data.real, (order[matrix.row], order[matrix.col])), shape=matrix.shape
        )
        clean.sum_duplicates()
        return clean

    def hamiltonian(self, potential: np.ndarray | None = None) -> sp.csr_matrix:
        """H = hoppings + diag(potential), real symmetric, shape (N, N), grid order.

        Args:
            potential (np.ndarray | None): on-site energies, shape (N,), units of t;
                None = clean.

        Returns:
            scipy.sparse.csr_matrix: the Hamiltonian, float64, units of t.
        """
        values = check_potential(self, potential, f"{type(self).__name__}.hamiltonian")
        return (self._clean_hamiltonian + sp.diags(values, format="csr")).tocsr()

    def to_grid(self, values: np.ndarray) -> np.ndarray:
        """Per-site values (..., N) as images (..., H, W)."""
        values = np.asarray(values)
        if values.shape[-1:] != (self.num_sites,):
            raise ValueError(
                f"{type(self).__name__}.to_grid(values): expected a last axis of "
                f"{self.num_sites} sites, got shape {values.shape}."
            )
        return values.reshape(*values.shape[:-1], *self.grid_shape)

    def from_grid(self, image: np.ndarray) -> np.ndarray:
        """Images (..., H, W) as per-site values (..., N); the inverse of :meth:`to_grid`."""
        image = np.asarray(image)
        if image.shape[-2:] != tuple(self.grid_shape):
            raise ValueError(
                f"{type(self).__name__}.from_grid(image): expected trailing axes "
                f"{tuple(self.grid_shape)}, got shape {image.shape}."
            )
        return image.reshape(*image.shape[:-2], self.num_sites)


class BaseDisorder(metaclass=ABCMeta):
    """A random on-site potential model; every draw comes from the generator passed in."""

    @abstractmethod
    def sample(self, lattice: BaseLattice, rng: np.random.Generator) -> np.ndarray:
        """One potential on ``lattice``: shape (N,), float64, units of t, grid order."""


class BaseLDOSSolver(metaclass=ABCMeta):
    """Local density of states rho_i(E) of a lattice with on-site potential V.

    rho_i(E) = sum_n |psi_n(i)|^2 delta(E - E_n), broadened as each solver's ``physics``
    says; states per site per unit energy, so each site's LDOS integrates to 1 over all
    energies. Solvers validate energies with :func:`~greenreg.physics.checks.check_energies`.

    Attributes:
        physics (str): one sentence: what is computed (closed or open system, broadening).
    """

    physics: str = ""

    @abstractmethod
    def ldos(self, lattice: BaseLattice, potential: np.ndarray, energies: np.ndarray) -> np.ndarray:
        """LDOS at ``energies`` (E,), units of t; returns shape (E, N), float64, grid order."""
