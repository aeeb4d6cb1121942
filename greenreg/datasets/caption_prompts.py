"""Captions to sample from: every digit, several captions and seeds each."""

from __future__ import annotations

import torch
from torch import Tensor
from torch.utils.data import Dataset

from greenreg.datasets.batched_indexing import BatchedIndexingMixin
from greenreg.datasets.captions import CAPTION_TEMPLATES, CaptionTokenizer, caption_for
from greenreg.registry import DATASETS


@DATASETS.register_module()
class CaptionPromptDataset(BatchedIndexingMixin, Dataset):
    """``samples_per_digit`` prompts for each digit 0-9, cycling through the templates.

    Item i is a dict: ``tokens`` (max_caption_length,) long, ``label`` the digit, ``seed``
    ``base_seed + i`` (so each image has its own noise, whatever the batch).

    Args:
        samples_per_digit (int): prompts per digit.
        base_seed (int): seed of the first prompt.
        max_caption_length (int): tokens per caption.

    Example:
        ``dict(type='CaptionPromptDataset', samples_per_digit=8)``
    """

    def __init__(
        self, samples_per_digit: int = 8, base_seed: int = 0, max_caption_length: int = 8
    ) -> None:
        if samples_per_digit < 1:
            raise ValueError(
                f"CaptionPromptDataset.samples_per_digit: expected an int >= 1, "
                f"got {samples_per_digit}."
            )
        self.labels = [d for d in range(10) for _ in range(samples_per_digit)]
        self.captions = [
            caption_for(d, k % len(CAPTION_TEMPLATES))
            for d in range(10)
            for k in range(samples_per_digit)
        ]
        self.tokens = CaptionTokenizer(max_caption_length).encode(self.captions)
        self.base_seed = base_seed
        self._labels = torch.tensor(self.labels)  # (N,) int64, for get_batch

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int) -> dict:
        return dict(
            tokens=self.tokens[index], label=self.labels[index], seed=self.base_seed + index
        )

    def get_batch(self, index: Tensor) -> dict:
        """``tokens`` (B, max_caption_length); ``label``, ``seed`` (B,) int64."""
        return dict(
            tokens=self.tokens[index], label=self._labels[index], seed=self.base_seed + index
        )
