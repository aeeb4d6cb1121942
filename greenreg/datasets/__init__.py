"""Datasets: embedded handwritten digits with captions."""

from greenreg.datasets.captioned_digits import CaptionedDigitsDataset
from greenreg.datasets.captions import CaptionTokenizer, caption_for

__all__ = ["CaptionedDigitsDataset", "CaptionTokenizer", "caption_for"]
