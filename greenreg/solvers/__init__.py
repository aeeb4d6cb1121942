"""Samplers: ODE solvers over a velocity field, diffusion samplers over a denoiser, guidance."""

from greenreg.solvers.adaptive_heun import AdaptiveHeunSolver
from greenreg.solvers.base import BaseSolver, SolverResult
from greenreg.solvers.ddim import DDIMSampler
from greenreg.solvers.ddpm_ancestral import DDPMAncestralSampler
from greenreg.solvers.diffusion_base import BaseDiffusionSampler
from greenreg.solvers.euler import EulerSolver
from greenreg.solvers.guidance import ClassifierFreeGuidance
from greenreg.solvers.heun import HeunSolver
from greenreg.solvers.midpoint import MidpointSolver
from greenreg.solvers.rk4 import RK4Solver

__all__ = [
    "AdaptiveHeunSolver",
    "BaseDiffusionSampler",
    "BaseSolver",
    "ClassifierFreeGuidance",
    "DDIMSampler",
    "DDPMAncestralSampler",
    "EulerSolver",
    "HeunSolver",
    "MidpointSolver",
    "RK4Solver",
    "SolverResult",
]
