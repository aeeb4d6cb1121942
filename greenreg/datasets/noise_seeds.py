"""Seeds for unconditional sampling: the validation set of a generator without conditions."""

from __future__ import annotations

import torch
from torch import Tensor
from torch.utils.data import Dataset

from greenreg.datasets.batched_indexing import BatchedIndexingMixin
from greenreg.registry import DATASETS
from greenreg.utils import check_int


@DATASETS.register_module()
class NoiseSeedDataset(BatchedIndexingMixin, Dataset):
    """Items ``dict(seed=base_seed + i, label=-1)``: one fixed noise draw per sample.

    The seed fixes each sample's x0 whatever batch it lands in, so validations at different
    iterations draw the same images and can be compared. ``label = -1`` tells metrics
    (DigitSampleMetric) the samples are unconditional.

    Args:
        num_samples (int): N, items in the set.
        base_seed (int): seed of the first item.

    Example:
        ``dataset=dict(type='NoiseSeedDataset', num_samples=200)``
    """

    def __init__(self, num_samples: int = 200, base_seed: int = 0) -> None:
        check_int(
            "NoiseSeedDataset.num_samples (val_dataloader.dataset.num_samples)", num_samples, 1
        )
        self.num_samples, self.base_seed = num_samples, base_seed

    def __len__(self) -> int:
        return self.num_samples

    def __getitem__(self, index: int) -> dict:
        if not 0 <= index < self.num_samples:
            raise IndexError(f"NoiseSeedDataset: index {index} outside [0, {self.num_samples}).")
        return dict(seed=self.base_seed + index, label=-1)

    def get_batch(self, index: Tensor) -> dict:
        """``seed`` (B,) int64 and ``label`` (B,) int64, all -1."""
        outside = index[(index < 0) | (index >= self.num_samples)]
        if len(outside):
            raise IndexError(
                f"NoiseSeedDataset: index {int(outside[0])} outside [0, {self.num_samples})."
            )
        return dict(seed=self.base_seed + index, label=torch.full_like(index, -1))
