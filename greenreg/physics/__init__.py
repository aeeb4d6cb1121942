"""Physics: tight-binding lattices, disorder models and LDOS solvers, with kwant underneath."""

import warnings

# kwant warns on import when MUMPS is absent and falls back to SciPy's sparse solver, which
# serves KwantLeadsLDOSSolver here (the default solver is a dense eigh); the two-line notice
# would otherwise lengthen every one-line error of every tool that imports the registries
warnings.filterwarnings("ignore", "MUMPS is not available", RuntimeWarning)

# ruff: noqa: E402
from greenreg.physics.anderson_disorder import AndersonDisorder
from greenreg.physics.base import BaseDisorder, BaseLattice, BaseLDOSSolver
from greenreg.physics.chain_lattice import ChainLattice
from greenreg.physics.checks import check_energies, spectral_window
from greenreg.physics.exact_green_ldos_solver import ExactGreenLDOSSolver
from greenreg.physics.gaussian_correlated_disorder import GaussianCorrelatedDisorder
from greenreg.physics.honeycomb_lattice import HoneycombLattice
from greenreg.physics.kpm_ldos_solver import KPMLDOSSolver
from greenreg.physics.kwant_leads_ldos_solver import KwantLeadsLDOSSolver
from greenreg.physics.point_impurity_disorder import PointImpurityDisorder
from greenreg.physics.square_lattice import SquareLattice

__all__ = [
    "AndersonDisorder",
    "BaseDisorder",
    "BaseLDOSSolver",
    "BaseLattice",
    "ChainLattice",
    "ExactGreenLDOSSolver",
    "GaussianCorrelatedDisorder",
    "HoneycombLattice",
    "KPMLDOSSolver",
    "KwantLeadsLDOSSolver",
    "PointImpurityDisorder",
    "SquareLattice",
    "check_energies",
    "spectral_window",
]
