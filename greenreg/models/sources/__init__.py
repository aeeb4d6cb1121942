"""Sources: what a flow starts from (noise, a caption's Gaussian, paired data)."""

from greenreg.models.sources.base import BaseSource, SourceDraw
from greenreg.models.sources.caption_gaussian import CaptionGaussianSource
from greenreg.models.sources.gaussian_noise import GaussianNoiseSource
from greenreg.models.sources.paired_data import PairedDataSource

__all__ = [
    "BaseSource",
    "CaptionGaussianSource",
    "GaussianNoiseSource",
    "PairedDataSource",
    "SourceDraw",
]
