"""Building blocks shared by backbones and conditioners (not registered: not configurable)."""

from greenreg.models.layers.attention import SpatialAttention, attention, cpu_autocast_off
from greenreg.models.layers.dit_block import DiTBlock, SelfAttention, modulate
from greenreg.models.layers.embeddings import (
    TimeEmbedding,
    sincos_2d_embedding,
    sinusoidal_embedding,
)
from greenreg.models.layers.group_norm import AdaGroupNorm, Fp32GroupNorm, group_norm_fp32
from greenreg.models.layers.res_block import ResBlock
from greenreg.models.layers.resample import Downsample, Upsample
from greenreg.models.layers.unet_stage import UNetStage

__all__ = [
    "AdaGroupNorm",
    "DiTBlock",
    "Downsample",
    "Fp32GroupNorm",
    "ResBlock",
    "SelfAttention",
    "SpatialAttention",
    "TimeEmbedding",
    "UNetStage",
    "Upsample",
    "attention",
    "cpu_autocast_off",
    "group_norm_fp32",
    "modulate",
    "sincos_2d_embedding",
    "sinusoidal_embedding",
]
