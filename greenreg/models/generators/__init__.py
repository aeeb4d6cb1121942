"""Generators: the BaseModel the Runner trains; it composes components and nothing more."""

from greenreg.models.generators.direct_regression import DirectRegressionModel
from greenreg.models.generators.flow_generator import FlowGenerator
from greenreg.models.generators.one_step import OneStepGenerator
from greenreg.models.generators.train_step import TrainStep
from greenreg.models.generators.vae_model import VAEModel

__all__ = [
    "DirectRegressionModel",
    "FlowGenerator",
    "OneStepGenerator",
    "TrainStep",
    "VAEModel",
]
