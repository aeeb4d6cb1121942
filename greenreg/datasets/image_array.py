"""Images (and labels) from a local NumPy archive, checked before training starts."""

from __future__ import annotations

import os
import zipfile

import numpy as np
import torch
from torch import Tensor
from torch.utils.data import Dataset

from greenreg.datasets.batched_indexing import BatchedIndexingMixin
from greenreg.datasets.captioned_digits import fit_to_size
from greenreg.registry import DATASETS


def _load_archive(path: str) -> dict[str, np.ndarray]:
    """The arrays of a .npz (or a single-array .npy, as ``images``), without pickles."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"ImageArrayDataset.path (*.dataset.path): no file {path!r}.")
    try:
        loaded = np.load(path, allow_pickle=False)  # a pickle here could run code
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as err:
        raise ValueError(
            f"ImageArrayDataset.path (*.dataset.path): {path!r} is not a readable .npz/.npy "
            f"file; expected arrays saved with numpy.savez ({type(err).__name__}: {err})."
        ) from None
    if isinstance(loaded, np.ndarray):
        return {"images": loaded}
    with loaded:
        return {key: loaded[key] for key in loaded.files}


@DATASETS.register_module()
class ImageArrayDataset(BatchedIndexingMixin, Dataset):
    """Images from ``numpy.savez(path, images=..., labels=...)``, scaled to [-1, 1].

    Every check runs when the dataset is built (before the first step): the file, the keys,
    the image shape (N, H, W) or (N, C, H, W) with square images, a numeric dtype, values
    inside ``value_range``, one integer label per image.

    Args:
        path (str): local .npz (or .npy with the images only).
        images_key (str): array holding the images.
        labels_key (str | None): array holding integer labels, or None.
        value_range (tuple[float, float]): the stored pixel range, mapped to [-1, 1].
        image_size (int | None): pad or resize to this side; None keeps the stored size.

    Example:
        ``dataset=dict(type='ImageArrayDataset', path='data/faces.npz', value_range=(0, 255))``
    """

    def __init__(
        self,
        path: str,
        images_key: str = "images",
        labels_key: str | None = "labels",
        value_range: tuple[float, float] = (0.0, 255.0),
        image_size: int | None = None,
    ) -> None:
        arrays = _load_archive(path)
        for key in (images_key, labels_key):
            if key is not None and key not in arrays:
                raise KeyError(
                    f"ImageArrayDataset.{'images' if key == images_key else 'labels'}_key: "
                    f"{path!r} has no array {key!r}; expected one of {sorted(arrays)}."
                )
        images = self._checked_images(arrays[images_key], path, value_range)
        low, high = value_range
        x = (torch.from_numpy(images.astype(np.float32)) - low) / (high - low)  # [0, 1]
        if image_size is not None:
            x = fit_to_size(x, image_size)  # pads with 0: the stored range's low end
        self.images = x * 2 - 1  # (N, C, H, W) in [-1, 1]
        self.labels = None
        if labels_key is not None:
            self.labels = self._checked_labels(arrays[labels_key], len(images), path)

    @staticmethod
    def _checked_images(images: np.ndarray, path: str, value_range) -> np.ndarray:
        """(N, C, H, W) numeric images inside value_range, or a ValueError saying why not."""
        where = f"ImageArrayDataset ({path!r})"
        if images.ndim == 3:
            images = images[:, None]
        if images.ndim != 4 or images.shape[-1] != images.shape[-2] or not len(images):
            raise ValueError(
                f"{where}: images must have shape (N, H, W) or (N, C, H, W) with H = W and "
                f"N > 0; got {images.shape}."
            )
        if not np.issubdtype(images.dtype, np.number):
            raise ValueError(f"{where}: images must be numeric; got dtype {images.dtype}.")
        low, high = value_range
        if not low < high:
            raise ValueError(
                f"ImageArrayDataset.value_range: expected low < high, got {value_range}."
            )
        if not np.isfinite(images).all() or images.min() < low or images.max() > high:
            raise ValueError(
                f"{where}: pixel values must be finite and inside value_range {value_range}; "
                f"got [{images.min()}, {images.max()}] (set value_range to the stored range)."
            )
        return images

    @staticmethod
    def _checked_labels(labels: np.ndarray, count: int, path: str) -> torch.Tensor:
        if labels.shape != (count,) or not np.issubdtype(labels.dtype, np.integer):
            raise ValueError(
                f"ImageArrayDataset ({path!r}): labels must be integers of shape ({count},), "
                f"one per image; got dtype {labels.dtype}, shape {labels.shape}."
            )
        return torch.from_numpy(labels.astype(np.int64))

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> dict:
        item = dict(inputs=self.images[index])
        if self.labels is not None:
            item["label"] = self.labels[index]
        return item

    def get_batch(self, index: Tensor) -> dict:
        """``inputs`` (B, C, H, W), and ``label`` (B,) when the file has labels."""
        batch = dict(inputs=self.images[index])
        if self.labels is not None:
            batch["label"] = self.labels[index]
        return batch
