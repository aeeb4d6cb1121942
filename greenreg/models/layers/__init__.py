"""Building blocks shared by backbones and conditioners (not registered: not configurable)."""

from greenreg.models.layers.dit_block import DiTBlock, SelfAttention, modulate
from greenreg.models.layers.embeddings import (
    TimeEmbedding,
    sincos_2d_embedding,
    sinusoidal_embedding,
)

__all__ = [
    "DiTBlock",
    "SelfAttention",
    "TimeEmbedding",
    "modulate",
    "sincos_2d_embedding",
    "sinusoidal_embedding",
]
