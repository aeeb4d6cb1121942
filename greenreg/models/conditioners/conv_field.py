"""Seed 001, option B: pooled feature -> MLP -> a small (C, h, w) field -> 3x3 convolutions."""

from __future__ import annotations

import torch.nn.functional as F
from torch import nn

from greenreg.models.conditioners.base import (
    BaseConditioner,
    LatentGaussian,
    split_moments,
    validate_latent_shape,
)
from greenreg.models.encoders import TextEncoding
from greenreg.registry import MODELS
from greenreg.utils import check_int


@MODELS.register_module()
class ConvFieldConditioner(BaseConditioner):
    """The pooled MLP reshaped into a feature field and made local by 3x3 convolutions.

    Args:
        text_width (int): width D_text of the text features.
        latent_shape (tuple[int, int, int]): (C, H, W) of the source, equal to the data shape.
        field_channels (int): channels of the field the MLP writes.
        field_size (int): side of that field; upsampled (nearest) to H/2 x W/2 for the
            second set of convolutions, whose head predicts 2x2 pixels per cell (pixel
            shuffle). Must divide H/2.
        hidden_width (int): hidden width of the MLP.
        num_convs (int): 3x3 conv + GroupNorm + SiLU blocks at field resolution and again
            at half resolution.

    Example:
        ``dict(type='ConvFieldConditioner', text_width=64, latent_shape=(1, 32, 32))``
    """

    def __init__(
        self,
        text_width: int,
        latent_shape: tuple[int, int, int],
        field_channels: int = 32,
        field_size: int = 8,
        hidden_width: int = 256,
        num_convs: int = 2,
    ) -> None:
        super().__init__()
        check_int(
            "ConvFieldConditioner.text_width (model.source.conditioner.text_width)", text_width, 1
        )
        self.latent_shape = c, h, _ = validate_latent_shape("ConvFieldConditioner", latent_shape)
        if h % 2 or (h // 2) % field_size:
            raise ValueError(
                f"ConvFieldConditioner.field_size (model.source.conditioner.field_size): "
                f"must divide "
                f"half the latent side; expected a divisor of {h // 2}, got {field_size}."
            )
        self.field_shape = (field_channels, field_size, field_size)
        self.mlp = nn.Sequential(
            nn.Linear(text_width, hidden_width),
            nn.SiLU(),
            nn.Linear(hidden_width, field_channels * field_size * field_size),
        )

        def conv_block() -> nn.Module:
            return nn.Sequential(
                nn.Conv2d(field_channels, field_channels, 3, padding=1),
                nn.GroupNorm(min(8, field_channels), field_channels),
                nn.SiLU(),
            )

        self.coarse = nn.Sequential(*(conv_block() for _ in range(num_convs)))
        self.fine = nn.Sequential(*(conv_block() for _ in range(num_convs)))
        self.head = nn.Conv2d(field_channels, 2 * c * 4, 3, padding=1)

    def forward(self, encoding: TextEncoding) -> LatentGaussian:
        """(B, L, D_text) text features -> mu, log_var of shape (B, C, H, W)."""
        _, h, w = self.latent_shape
        field = self.mlp(encoding.pooled()).view(-1, *self.field_shape)  # (B, Cf, h, w)
        field = F.interpolate(self.coarse(field), size=(h // 2, w // 2), mode="nearest")
        moments = F.pixel_shuffle(self.head(self.fine(field)), 2)  # (B, 2C, H, W)
        return split_moments(moments)
