"""Honeycomb (graphene) lattice laid out as a brick wall."""

from __future__ import annotations

import math

import kwant

from greenreg.physics.base import BaseLattice
from greenreg.physics.checks import check_finite, check_positive, check_size
from greenreg.registry import LATTICES

SQRT3 = math.sqrt(3.0)


@LATTICES.register_module()
class HoneycombLattice(BaseLattice):
    """size x size two-site unit cells of graphene, as a brick wall on a (size, 2 size) grid.

    H = sum_i V_i n_i - t sum_<ij> c_i^+ c_j - t2 sum_<<ij>> c_i^+ c_j. Clean bands
    E = +-t u - t2 (u^2 - 3), u = |1 + e^{ik.a1} + e^{ik.a2}| in [0, 3]: for t2 = 0 the
    band is [-3t, 3t] and the DOS vanishes linearly at the Dirac point E = 0, as
    |E| / (sqrt(3) pi t^2) per site. Lattice constant 1 (carbon-carbon distance 1/sqrt(3)).

    Grid mapping (brick wall): grid row r is a zigzag chain along x, column c is at
    x = c / 2. Each site is bonded to its left and right grid neighbours (in the row) and to
    the site straight above (if r + c is even) or below (if odd). Row r sits at
    y = r sqrt(3) / 2, with the sites of odd r + c lowered by 1 / (2 sqrt(3)), so a pixel is
    1/2 wide and sqrt(3)/2 tall (``grid_spacing``). Top and bottom edges are zigzag, left
    and right armchair; leads (left, right) attach to the armchair edges.

    Args:
        size (int): unit cells per side (grid rows), >= 2.
        hopping (float): nearest-neighbour hopping t > 0, the energy unit.
        next_hopping (float): next-nearest-neighbour (same-sublattice) hopping t2.

    Example:
        ``dict(type='HoneycombLattice', size=16)``
    """

    def __init__(self, size: int, hopping: float = 1.0, next_hopping: float = 0.0) -> None:
        self.size = check_size("HoneycombLattice.size (lattice.size)", size)
        self.hopping = check_positive("HoneycombLattice.hopping (lattice.hopping)", hopping)
        self.next_hopping = check_finite(
            "HoneycombLattice.next_hopping (lattice.next_hopping)", next_hopping
        )
        # rectangular 4-site cell (1 x sqrt 3): two brick-wall rows; kwant's 2-site
        # rhombic cell would make straight edges (and leads along x) impossible
        low = -1 / (2 * SQRT3)
        basis = [(0.0, 0.0), (0.5, low), (0.0, 1 / SQRT3), (0.5, SQRT3 / 2)]
        self.lattice = kwant.lattice.general([(1.0, 0.0), (0.0, SQRT3)], basis, norbs=1)

    @property
    def grid_shape(self) -> tuple[int, int]:
        """(size, 2 size)."""
        return (self.size, 2 * self.size)

    @property
    def grid_spacing(self) -> tuple[float, float]:
        """(sqrt(3)/2, 1/2): rows and columns apart, in lattice constants."""
        return (SQRT3 / 2, 0.5)

    @property
    def band_edges(self) -> tuple[float, float]:
        """Extremes of +-t u - t2 (u^2 - 3) over u in [0, 3] (ends and each vertex)."""
        t, t2 = self.hopping, self.next_hopping
        candidates = [0.0, 3.0]
        if t2:
            candidates += [u for u in (t / (2 * t2), -t / (2 * t2)) if 0 < u < 3]
        energies = [s * t * u - t2 * (u * u - 3) for u in candidates for s in (1, -1)]
        return (min(energies), max(energies))

    def site(self, row: int, column: int) -> kwant.builder.Site:
        """The kwant site at grid (row, column)."""
        sublattice = 2 * (row % 2) + column % 2
        return self.lattice.sublattices[sublattice](column // 2, row // 2)

    def sites(self) -> list[kwant.builder.Site]:
        """Sites row by row, each row left to right."""
        rows, columns = self.grid_shape
        return [self.site(r, c) for r in range(rows) for c in range(columns)]

    def lead_builders(self) -> list[kwant.Builder]:
        """Leads along x on the left and right (armchair) edges, ``size`` rows wide."""
        leads = []
        for direction in ((-1.0, 0.0), (1.0, 0.0)):
            lead = kwant.Builder(kwant.TranslationalSymmetry(direction))
            for row in range(self.size):
                lead[self.site(row, 0)] = 0.0
                lead[self.site(row, 1)] = 0.0
            for kind, value in self.hoppings():
                lead[kind] = value
            leads.append(lead)
        return leads
