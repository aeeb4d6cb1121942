"""Point impurities: a fixed fraction of sites carries an on-site energy."""

from __future__ import annotations

import numpy as np

from greenreg.physics.base import BaseDisorder, BaseLattice
from greenreg.physics.checks import check_positive
from greenreg.registry import DISORDERS


@DISORDERS.register_module()
class PointImpurityDisorder(BaseDisorder):
    """round(density N) distinct sites, chosen uniformly, get V = strength; the rest 0.

    The impurity count is exact in every sample (not binomial), so ``density`` is the
    fraction of impurity sites of each map.

    Args:
        density (float): fraction of sites with an impurity, in [0, 1].
        strength (float): impurity energy, units of t; its sign is kept (attractive if < 0)
            unless ``random_sign``.
        random_sign (bool): give each impurity +-|strength| with equal probability.

    Example:
        ``dict(type='PointImpurityDisorder', density=0.05, strength=2.0)``
    """

    def __init__(self, density: float, strength: float, random_sign: bool = False) -> None:
        density = check_positive("PointImpurityDisorder.density (disorder.density)", density, True)
        if density > 1:
            raise ValueError(
                f"PointImpurityDisorder.density (disorder.density): out of range; expected a "
                f"fraction in [0, 1], got {density}."
            )
        if not np.isfinite(strength):
            raise ValueError(
                f"PointImpurityDisorder.strength (disorder.strength): expected a finite float, "
                f"got {strength}."
            )
        self.density, self.strength, self.random_sign = density, float(strength), random_sign

    def sample(self, lattice: BaseLattice, rng: np.random.Generator) -> np.ndarray:
        """Shape (N,), units of t: ``strength`` on the impurity sites, 0 elsewhere."""
        count = round(self.density * lattice.num_sites)
        sites = rng.choice(lattice.num_sites, size=count, replace=False)
        potential = np.zeros(lattice.num_sites)
        amplitude = self.strength
        if self.random_sign:
            amplitude = abs(self.strength) * rng.choice((-1.0, 1.0), size=count)
        potential[sites] = amplitude
        return potential
