"""Generators: the BaseModel subclasses the Runner trains; they compose components."""

from greenreg.models.generators.cross_modal_flow import CrossModalFlowMatcher

__all__ = ["CrossModalFlowMatcher"]
