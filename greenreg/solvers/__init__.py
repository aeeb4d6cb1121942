"""Samplers over one model interface (ModelFn) and a time grid; guidance wraps the model."""

from greenreg.solvers.adaptive_base import AdaptiveSolver
from greenreg.solvers.adaptive_heun import AdaptiveHeunSolver
from greenreg.solvers.base import BaseSolver, SolverResult
from greenreg.solvers.classifier_free_guidance import ClassifierFreeGuidance
from greenreg.solvers.ddim import DDIMSampler
from greenreg.solvers.ddpm_ancestral import DDPMAncestralSampler
from greenreg.solvers.diffusion_base import BaseDiffusionSampler
from greenreg.solvers.dopri5 import Dopri5Solver
from greenreg.solvers.euler import EulerSolver
from greenreg.solvers.fixed_step import FixedStepSolver
from greenreg.solvers.gaussian_observation import GaussianObservationObjective
from greenreg.solvers.gradient_guidance import ObjectiveGradientGuidance
from greenreg.solvers.heun import HeunSolver
from greenreg.solvers.midpoint import MidpointSolver
from greenreg.solvers.model_fn import ModelFn
from greenreg.solvers.rk4 import RK4Solver

__all__ = [
    "AdaptiveHeunSolver",
    "AdaptiveSolver",
    "BaseDiffusionSampler",
    "BaseSolver",
    "ClassifierFreeGuidance",
    "DDIMSampler",
    "DDPMAncestralSampler",
    "Dopri5Solver",
    "EulerSolver",
    "FixedStepSolver",
    "GaussianObservationObjective",
    "HeunSolver",
    "MidpointSolver",
    "ModelFn",
    "ObjectiveGradientGuidance",
    "RK4Solver",
    "SolverResult",
]
