"""Datasets: embedded handwritten digits with captions."""

from greenreg.datasets.caption_prompts import CaptionPromptDataset
from greenreg.datasets.captioned_digits import CaptionedDigitsDataset
from greenreg.datasets.captions import CaptionTokenizer, caption_for

__all__ = ["CaptionPromptDataset", "CaptionedDigitsDataset", "CaptionTokenizer", "caption_for"]
