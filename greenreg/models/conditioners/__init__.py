"""Conditioners: caption features -> the Gaussian the flow starts from."""

from greenreg.models.conditioners.base import BaseConditioner, LatentGaussian
from greenreg.models.conditioners.conv_field import ConvFieldConditioner
from greenreg.models.conditioners.grid_query import GridQueryCrossAttnConditioner
from greenreg.models.conditioners.pooled_mlp import PooledMLPConditioner

__all__ = [
    "BaseConditioner",
    "ConvFieldConditioner",
    "GridQueryCrossAttnConditioner",
    "LatentGaussian",
    "PooledMLPConditioner",
]
