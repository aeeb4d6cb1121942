"""Prediction targets (eps, data, v, velocity) and exact conversions between them."""

from greenreg.targets.base import BasePredictionTarget, Denoised
from greenreg.targets.data import DataTarget
from greenreg.targets.epsilon import EpsilonTarget
from greenreg.targets.v import VTarget
from greenreg.targets.velocity import VelocityTarget

__all__ = [
    "BasePredictionTarget",
    "DataTarget",
    "Denoised",
    "EpsilonTarget",
    "VTarget",
    "VelocityTarget",
]
