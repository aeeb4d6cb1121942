"""Conditioners: caption features -> the flow's source Gaussian; labels -> embeddings."""

from greenreg.models.conditioners.base import BaseConditioner, LatentGaussian
from greenreg.models.conditioners.class_embedding import ClassEmbeddingConditioner
from greenreg.models.conditioners.conv_field import ConvFieldConditioner
from greenreg.models.conditioners.grid_query import GridQueryCrossAttnConditioner
from greenreg.models.conditioners.pooled_mlp import PooledMLPConditioner

__all__ = [
    "BaseConditioner",
    "ClassEmbeddingConditioner",
    "ConvFieldConditioner",
    "GridQueryCrossAttnConditioner",
    "LatentGaussian",
    "PooledMLPConditioner",
]
