"""ODE solvers for sampling: integrate the learned velocity from t=0 to t=1."""

from greenreg.solvers.base import BaseSolver, SolverResult
from greenreg.solvers.euler import EulerSolver

__all__ = ["BaseSolver", "EulerSolver", "SolverResult"]
