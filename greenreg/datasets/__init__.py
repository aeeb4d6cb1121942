"""Datasets: embedded digits (captions, styles), toy 2-D, LDOS maps, local CIFAR-10, seeds."""

from greenreg.datasets.batched_indexing import (
    BatchedIndexingMixin,
    CollatedBatch,
    batched_collate,
)
from greenreg.datasets.caption_prompts import CaptionPromptDataset
from greenreg.datasets.captioned_digits import CaptionedDigitsDataset
from greenreg.datasets.captions import CaptionTokenizer, caption_for
from greenreg.datasets.cifar10 import CIFAR10Dataset
from greenreg.datasets.digit_styles import STYLES, render_style
from greenreg.datasets.image_array import ImageArrayDataset
from greenreg.datasets.ldos_maps import LDOSMapDataset
from greenreg.datasets.noise_seeds import NoiseSeedDataset
from greenreg.datasets.resumable_infinite_sampler import ResumableInfiniteSampler
from greenreg.datasets.styled_digits import StyledDigitsDataset
from greenreg.datasets.toy_2d import Toy2DDataset, sample_toy_2d, sample_toy_2d_labelled

__all__ = [
    "BatchedIndexingMixin",
    "CIFAR10Dataset",
    "CaptionPromptDataset",
    "CaptionTokenizer",
    "CaptionedDigitsDataset",
    "CollatedBatch",
    "ImageArrayDataset",
    "LDOSMapDataset",
    "NoiseSeedDataset",
    "ResumableInfiniteSampler",
    "STYLES",
    "StyledDigitsDataset",
    "Toy2DDataset",
    "batched_collate",
    "caption_for",
    "render_style",
    "sample_toy_2d",
    "sample_toy_2d_labelled",
]
