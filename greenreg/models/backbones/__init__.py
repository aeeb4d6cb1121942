"""Backbones: networks that map (x_t, t, condition) to a prediction on the path."""

from greenreg.models.backbones.dit import DiTBackbone
from greenreg.models.backbones.isonext import IsoNextBackbone
from greenreg.models.backbones.latent_green_operator import LatentGreenOperator
from greenreg.models.backbones.mlp import MLPBackbone
from greenreg.models.backbones.unet import UNetBackbone

__all__ = ["DiTBackbone", "IsoNextBackbone", "LatentGreenOperator", "MLPBackbone", "UNetBackbone"]
