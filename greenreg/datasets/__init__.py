"""Datasets (embedded handwritten digits with captions, LDOS maps) and their samplers."""

from greenreg.datasets.caption_prompts import CaptionPromptDataset
from greenreg.datasets.captioned_digits import CaptionedDigitsDataset
from greenreg.datasets.captions import CaptionTokenizer, caption_for
from greenreg.datasets.image_array import ImageArrayDataset
from greenreg.datasets.ldos_maps import LDOSMapDataset
from greenreg.datasets.resumable_infinite_sampler import ResumableInfiniteSampler

__all__ = [
    "CaptionPromptDataset",
    "CaptionTokenizer",
    "CaptionedDigitsDataset",
    "ImageArrayDataset",
    "LDOSMapDataset",
    "ResumableInfiniteSampler",
    "caption_for",
]
