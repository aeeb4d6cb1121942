"""A lossless, parameter-free autoencoder: pixel (un)shuffle."""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor

from greenreg.models.autoencoders.base import BaseAutoencoder
from greenreg.registry import MODELS
from greenreg.utils import check_int


@MODELS.register_module()
class SpaceToDepthAutoencoder(BaseAutoencoder):
    """(B, C, H, W) <-> (B, C f^2, H / f, W / f) by pixel unshuffle (Shi et al. 2016).

    Exactly invertible, with nothing to train: the reference autoencoder for latent-flow
    plumbing (encode, calibrate, decode) and a cheap way to give a backbone fewer, wider
    tokens.

    Args:
        factor (int): downsampling factor f, >= 1; H and W must be multiples of it.
        image_shape (tuple | None): (C, H, W) of the data, to state the latent shape.

    Example:
        ``dict(type='SpaceToDepthAutoencoder', factor=2, image_shape=(1, 32, 32))``
    """

    def __init__(self, factor: int = 2, image_shape: tuple | list | None = None) -> None:
        super().__init__()
        check_int(
            "SpaceToDepthAutoencoder.factor (model.autoencoder.autoencoder.factor)", factor, 1
        )
        self.factor = factor
        if image_shape is not None:
            c, h, w = image_shape
            if h % factor or w % factor:
                raise ValueError(
                    f"SpaceToDepthAutoencoder.image_shape (model.autoencoder.autoencoder."
                    f"image_shape): H and W must be multiples of factor {factor}; got "
                    f"{image_shape}."
                )
            self.latent_shape = (c * factor**2, h // factor, w // factor)

    def encode(self, x: Tensor) -> Tensor:
        """(B, C, H, W) -> (B, C f^2, H / f, W / f)."""
        return F.pixel_unshuffle(x, self.factor)

    def decode(self, z: Tensor) -> Tensor:
        """(B, C f^2, H / f, W / f) -> (B, C, H, W)."""
        return F.pixel_shuffle(z, self.factor)
