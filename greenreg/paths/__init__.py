"""Probability paths / noise schedules: x_t, its velocity, and t <-> alpha, sigma, log SNR."""

from greenreg.paths.base import BaseProbabilityPath, PathCoefficients, PathSample
from greenreg.paths.ddpm_discrete import DDPMDiscretePath
from greenreg.paths.karras_sigma import KarrasSigmaPath
from greenreg.paths.linear import LinearPath
from greenreg.paths.vp_cosine import VPCosinePath
from greenreg.paths.vp_linear import VPLinearPath

__all__ = [
    "BaseProbabilityPath",
    "DDPMDiscretePath",
    "KarrasSigmaPath",
    "LinearPath",
    "PathCoefficients",
    "PathSample",
    "VPCosinePath",
    "VPLinearPath",
]
