"""The seed's baseline conditioner: pooled text feature -> MLP -> per-pixel (mu, log_var)."""

from __future__ import annotations

import math

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
class PooledMLPConditioner(BaseConditioner):
    """Mean-pools the caption tokens and maps the vector through an MLP to every latent pixel.

    Every output pixel is a separate linear read-out of one global vector, so nothing ties
    neighbouring pixels together: the missing spatial prior that seed 001 diagnoses.

    Args:
        text_width (int): width D_text of the text features.
        latent_shape (tuple[int, int, int]): (C, H, W) of the source, equal to the data shape.
        hidden_width (int): hidden width of the MLP.
        num_layers (int): linear layers in the MLP (the seed uses 3).

    Example:
        ``dict(type='PooledMLPConditioner', text_width=64, latent_shape=(1, 32, 32))``
    """

    def __init__(
        self,
        text_width: int,
        latent_shape: tuple[int, int, int],
        hidden_width: int = 512,
        num_layers: int = 3,
    ) -> None:
        super().__init__()
        check_int(
            "PooledMLPConditioner.text_width (model.source.conditioner.text_width)", text_width, 1
        )
        self.latent_shape = validate_latent_shape("PooledMLPConditioner", latent_shape)
        if num_layers < 1:
            raise ValueError(
                f"PooledMLPConditioner.num_layers (model.source.conditioner.num_layers): "
                f"expected an "
                f"int >= 1, got {num_layers}."
            )
        widths = [text_width] + [hidden_width] * (num_layers - 1)
        layers: list[nn.Module] = []
        for w_in, w_out in zip(widths[:-1], widths[1:]):
            layers += [nn.Linear(w_in, w_out), nn.SiLU()]
        layers.append(nn.Linear(widths[-1], 2 * math.prod(self.latent_shape)))
        self.mlp = nn.Sequential(*layers)

    def forward(self, encoding: TextEncoding) -> LatentGaussian:
        """(B, L, D_text) text features -> mu, log_var of shape (B, C, H, W)."""
        c, h, w = self.latent_shape
        moments = self.mlp(encoding.pooled()).view(-1, 2 * c, h, w)  # (B, 2C, H, W)
        return split_moments(moments)
