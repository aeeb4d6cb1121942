"""ODE solvers for sampling: integrate the learned velocity from t=0 to t=1."""

from greenreg.solvers.adaptive_heun import AdaptiveHeunSolver
from greenreg.solvers.base import BaseSolver, SolverResult
from greenreg.solvers.euler import EulerSolver
from greenreg.solvers.heun import HeunSolver
from greenreg.solvers.midpoint import MidpointSolver
from greenreg.solvers.rk4 import RK4Solver

__all__ = [
    "AdaptiveHeunSolver",
    "BaseSolver",
    "EulerSolver",
    "HeunSolver",
    "MidpointSolver",
    "RK4Solver",
    "SolverResult",
]
