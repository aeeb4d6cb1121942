"""Digits (structure) and their renderings in named styles: paired data for style transfer."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor
from torch.utils.data import Dataset

from greenreg.datasets.batched_indexing import BatchedIndexingMixin
from greenreg.datasets.captioned_digits import CaptionedDigitsDataset
from greenreg.datasets.digit_styles import STYLES, render_style
from greenreg.registry import DATASETS


@DATASETS.register_module()
class StyledDigitsDataset(BatchedIndexingMixin, Dataset):
    """Every digit of a split in every requested style, with its structure image.

    Seed 002's task (structure-preserving style transfer) with a ground truth: item k is
    digit k // S in style k % S (S styles), so each structure appears in every style and
    each stylised image has its structure. The digits are the embedded MNIST-5k (no
    download), split as :class:`CaptionedDigitsDataset` splits them (the ``heldout``
    digits are never trained on). The styles are in :mod:`greenreg.datasets.digit_styles`.

    Args:
        source (str): ``"mnist"`` or ``"digits"`` (see CaptionedDigitsDataset).
        split (str): ``"train"``, ``"heldout"`` or ``"all"``.
        styles (Sequence[str] | None): style names to render; None = all of ``STYLES``.
        image_size (int): side of the square images, in pixels.
        num_digits (int | None): keep only the first ``num_digits`` digits of the split.

    Each item is a dict: ``source`` (1, H, W) the structure in [-1, 1], ``inputs``
    (1, H, W) the stylised digit in [-1, 1], ``label`` the style's index in ``STYLES``
    (long scalar), ``digit`` the digit's class (long scalar).

    Raises:
        KeyError: an unknown style name (names the known ones).

    Example:
        ``dict(type='StyledDigitsDataset', split='train', styles=['thick', 'slant'])``
    """

    def __init__(
        self,
        source: str = "mnist",
        split: str = "train",
        styles: Sequence[str] | None = None,
        image_size: int = 32,
        num_digits: int | None = None,
    ) -> None:
        styles = tuple(STYLES if styles is None else styles)
        unknown = [s for s in styles if s not in STYLES]
        if unknown or not styles:
            raise KeyError(
                f"StyledDigitsDataset.styles (*.dataset.styles): unknown style; expected "
                f"names from {STYLES}, got {list(styles)!r}."
            )
        digits = CaptionedDigitsDataset(source, split, image_size, num_samples=num_digits)
        structure = (digits.images + 1) / 2  # (N, 1, H, W) in [0, 1]
        rendered = torch.stack([render_style(structure, s) for s in styles], dim=1)
        self.styles = styles
        self.structure = digits.images  # (N, 1, H, W) in [-1, 1]
        self.styled = rendered * 2 - 1  # (N, S, 1, H, W) in [-1, 1]
        self.digits = digits.labels
        self.style_labels = torch.tensor([STYLES.index(s) for s in styles])

    def __len__(self) -> int:
        return len(self.structure) * len(self.styles)

    def __getitem__(self, index: int) -> dict:
        i, s = divmod(int(index), len(self.styles))
        return dict(
            source=self.structure[i],
            inputs=self.styled[i, s],
            label=self.style_labels[s],
            digit=self.digits[i],
        )

    def get_batch(self, index: Tensor) -> dict:
        """``source``, ``inputs`` (B, 1, H, W); ``label``, ``digit`` (B,)."""
        index = torch.where(index < 0, index + len(self), index)  # as divmod of a negative
        i, s = index.div(len(self.styles), rounding_mode="floor"), index % len(self.styles)
        return dict(
            source=self.structure[i],
            inputs=self.styled[i, s],
            label=self.style_labels[s],
            digit=self.digits[i],
        )
