"""One-dimensional chain: the lattice with closed forms for every solver's tests."""

from __future__ import annotations

import kwant

from greenreg.physics.base import BaseLattice
from greenreg.physics.checks import check_positive, check_size
from greenreg.registry import LATTICES


@LATTICES.register_module()
class ChainLattice(BaseLattice):
    """``size`` sites in a row, H = sum_i V_i n_i - t sum_i (c_i^+ c_{i+1} + h.c.).

    Clean band [-2t, 2t]; the infinite chain's LDOS is 1 / (pi sqrt(4t^2 - E^2)) per site,
    and its Green's function g(z) = 1 / sqrt(z^2 - 4t^2) at complex z. Grid (1, size).

    Args:
        size (int): number of sites, >= 2.
        hopping (float): nearest-neighbour hopping t > 0, the energy unit.

    Example:
        ``dict(type='ChainLattice', size=100)``
    """

    def __init__(self, size: int, hopping: float = 1.0) -> None:
        self.size = check_size("ChainLattice.size (lattice.size)", size)
        self.hopping = check_positive("ChainLattice.hopping (lattice.hopping)", hopping)
        self.lattice = kwant.lattice.chain(a=1.0, norbs=1)

    @property
    def grid_shape(self) -> tuple[int, int]:
        """(1, size)."""
        return (1, self.size)

    @property
    def band_edges(self) -> tuple[float, float]:
        """[-2t, 2t]."""
        return (-2 * self.hopping, 2 * self.hopping)

    def sites(self) -> list[kwant.builder.Site]:
        """Sites 0 .. size - 1, left to right."""
        return [self.lattice(x) for x in range(self.size)]

    def lead_builders(self) -> list[kwant.Builder]:
        """Semi-infinite clean chains on the left and right: with both, the infinite chain."""
        leads = []
        for direction in ((-1,), (1,)):
            lead = kwant.Builder(kwant.TranslationalSymmetry(direction))
            lead[self.lattice(0)] = 0.0
            lead[self.lattice.neighbors(1)] = -self.hopping
            leads.append(lead)
        return leads
