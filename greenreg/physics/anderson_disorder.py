"""Anderson disorder: independent uniform on-site energies."""

from __future__ import annotations

import numpy as np

from greenreg.physics.base import BaseDisorder, BaseLattice
from greenreg.physics.checks import check_positive
from greenreg.registry import DISORDERS


@DISORDERS.register_module()
class AndersonDisorder(BaseDisorder):
    """V_i ~ Uniform[-W/2, W/2], independent per site (Anderson 1958): mean 0, var W^2 / 12.

    Args:
        width (float): W >= 0, units of t.

    Example:
        ``dict(type='AndersonDisorder', width=2.0)``
    """

    def __init__(self, width: float) -> None:
        self.width = check_positive("AndersonDisorder.width (disorder.width)", width, True)

    def sample(self, lattice: BaseLattice, rng: np.random.Generator) -> np.ndarray:
        """N independent uniform draws, shape (N,), units of t."""
        return rng.uniform(-self.width / 2, self.width / 2, size=lattice.num_sites)
