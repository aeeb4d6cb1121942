"""Backbones: networks that map (x_t, t) to a velocity."""

from greenreg.models.backbones.dit import DiTBackbone

__all__ = ["DiTBackbone"]
