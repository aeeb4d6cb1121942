"""Whole batches of in-memory datasets by tensor indexing, and the collate that passes them.

torch's DataLoader asks a map-style dataset for ``__getitems__(indices)`` when it has one
(``torch/utils/data/_utils/fetch.py``) and hands the result to ``collate_fn``. Datasets
that hold their fields as tensors build the batch with one ``tensor[index]`` per field,
instead of B ``__getitem__`` calls and a ``default_collate`` that stacks B small tensors
per field.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from mmengine.dataset import default_collate
from torch import Tensor

from greenreg.registry import FUNCTIONS


class CollatedBatch(Sequence):
    """A batch already collated, that still reads as the list of its B samples.

    :func:`batched_collate` returns ``batch`` as it is. Any other collate function sees a
    sequence of B sample dicts (``batch[k][i]`` per key), so ``default_collate`` and
    ``pseudo_collate`` keep working, only without the speed-up.

    Args:
        batch (dict): the collated fields: tensors with B rows, or lists of B strings.
        size (int): B, the number of samples.
    """

    def __init__(self, batch: dict, size: int) -> None:
        self.batch, self.size = batch, size

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, i: int) -> dict:
        if not -self.size <= i < self.size:
            raise IndexError(f"CollatedBatch: sample {i} outside a batch of {self.size}.")
        return {key: value[i] for key, value in self.batch.items()}


class BatchedIndexingMixin:
    """Gives a map-style dataset ``__getitems__``, built on the dataset's ``get_batch``.

    A subclass implements ``get_batch(index)``: the batch that ``default_collate`` would
    make of ``[self[i] for i in index]`` (same keys, values, dtypes and order; random
    transforms drawn per sample, in index order, from the same generator), by indexing its
    tensors once per field. ``__getitem__`` stays the per-sample reference.
    """

    def get_batch(self, index: Tensor) -> dict:
        """The collated batch of the samples ``index``.

        Args:
            index (Tensor): sample indices, shape (B,), int64.

        Returns:
            dict: per field a tensor with B rows (or a list of B strings).
        """
        raise NotImplementedError

    def __getitems__(self, indices: Sequence[int]) -> CollatedBatch:
        """The batch of ``indices``, collated (see :func:`batched_collate`)."""
        index = torch.as_tensor(indices, dtype=torch.long)
        return CollatedBatch(self.get_batch(index), len(index))


@FUNCTIONS.register_module()
def batched_collate(data_batch: Sequence) -> dict:
    """Passes a :class:`CollatedBatch` through; collates anything else with default_collate.

    Args:
        data_batch (Sequence): what the DataLoader fetched: a CollatedBatch from
            ``__getitems__``, or a list of samples.

    Returns:
        dict: the batch, as mmengine's ``default_collate`` would make it.

    Example:
        ``collate_fn=dict(type='greenreg.batched_collate')``
    """
    if isinstance(data_batch, CollatedBatch):
        return data_batch.batch
    return default_collate(data_batch)
