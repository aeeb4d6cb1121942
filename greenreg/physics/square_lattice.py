"""Square lattice with nearest- and next-nearest-neighbour hopping."""

from __future__ import annotations

import kwant

from greenreg.physics.base import BaseLattice
from greenreg.physics.checks import check_finite, check_positive, check_size
from greenreg.registry import LATTICES


@LATTICES.register_module()
class SquareLattice(BaseLattice):
    """size x size sites, H = sum_i V_i n_i - t sum_<ij> c_i^+ c_j - t2 sum_<<ij>> c_i^+ c_j.

    Clean dispersion E(k) = -2t (cos kx + cos ky) - 4 t2 cos kx cos ky, so for t2 = 0 the
    band is [-4t, 4t] with DOS K(1 - E^2/16t^2) / (2 pi^2 t) per site. Open boundaries.
    Grid (size, size): row = y, column = x, site (x, y) at grid index y * size + x.

    Args:
        size (int): sites per side, >= 2.
        hopping (float): nearest-neighbour hopping t > 0, the energy unit.
        next_hopping (float): next-nearest-neighbour (diagonal) hopping t2, any sign.

    Example:
        ``dict(type='SquareLattice', size=32)``
    """

    def __init__(self, size: int, hopping: float = 1.0, next_hopping: float = 0.0) -> None:
        self.size = check_size("SquareLattice.size (lattice.size)", size)
        self.hopping = check_positive("SquareLattice.hopping (lattice.hopping)", hopping)
        self.next_hopping = check_finite(
            "SquareLattice.next_hopping (lattice.next_hopping)", next_hopping
        )
        self.lattice = kwant.lattice.square(a=1.0, norbs=1)

    @property
    def grid_shape(self) -> tuple[int, int]:
        """(size, size)."""
        return (self.size, self.size)

    @property
    def band_edges(self) -> tuple[float, float]:
        """Extremes of E(k): E is bilinear in (cos kx, cos ky), so they sit at the corners."""
        t, t2 = self.hopping, self.next_hopping
        corners = (-4 * t - 4 * t2, 4 * t - 4 * t2, 4 * t2)  # (0,0), (pi,pi), (0,pi)
        return (min(corners), max(corners))

    def sites(self) -> list[kwant.builder.Site]:
        """Sites (x, y), row-major: y = row, x = column."""
        return [self.lattice(x, y) for y in range(self.size) for x in range(self.size)]

    def lead_builders(self) -> list[kwant.Builder]:
        """Leads of width ``size`` on the left, right, bottom and top edges."""
        leads = []
        for direction in ((-1, 0), (1, 0), (0, -1), (0, 1)):
            lead = kwant.Builder(kwant.TranslationalSymmetry(direction))
            along_x = direction[1] == 0
            for k in range(self.size):
                lead[self.lattice(0, k) if along_x else self.lattice(k, 0)] = 0.0
            for kind, value in self.hoppings():
                lead[kind] = value
            leads.append(lead)
        return leads
