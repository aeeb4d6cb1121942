"""Generators: the BaseModel subclasses the Runner trains; they compose components."""

from greenreg.models.generators.cross_modal_flow import CrossModalFlowMatcher
from greenreg.models.generators.diffusion import DiffusionGenerator

__all__ = ["CrossModalFlowMatcher", "DiffusionGenerator"]
