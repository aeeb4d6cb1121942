"""Conditioners: captions -> the source Gaussian; labels -> embeddings; maps -> channels."""

from greenreg.models.conditioners.base import BaseConditioner, LatentGaussian
from greenreg.models.conditioners.channel_concat import ChannelConcatConditioner
from greenreg.models.conditioners.class_embedding import ClassEmbeddingConditioner
from greenreg.models.conditioners.concat_adaln import ConcatAdaLNConditioner
from greenreg.models.conditioners.conv_field import ConvFieldConditioner
from greenreg.models.conditioners.grid_query import GridQueryCrossAttnConditioner
from greenreg.models.conditioners.pooled_mlp import PooledMLPConditioner

__all__ = [
    "BaseConditioner",
    "ChannelConcatConditioner",
    "ClassEmbeddingConditioner",
    "ConcatAdaLNConditioner",
    "ConvFieldConditioner",
    "GridQueryCrossAttnConditioner",
    "LatentGaussian",
    "PooledMLPConditioner",
]
