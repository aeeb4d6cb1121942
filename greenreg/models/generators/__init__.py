"""Generators: the BaseModel the Runner trains; it composes components and nothing more."""

from greenreg.models.generators.flow_generator import FlowGenerator
from greenreg.models.generators.train_step import TrainStep

__all__ = ["FlowGenerator", "TrainStep"]
