"""The autoencoder interface: data (B, C, H, W) <-> latents the flow runs in."""

from __future__ import annotations

from abc import abstractmethod

from torch import Tensor, nn


class BaseAutoencoder(nn.Module):
    """Encodes data into latents and decodes them back. Subclasses implement both.

    Attributes:
        latent_shape (tuple[int, int, int] | None): (C, H, W) of a latent, when fixed.
    """

    latent_shape: tuple[int, int, int] | None = None

    @abstractmethod
    def encode(self, x: Tensor) -> Tensor:
        """Data (B, C, H, W) -> latents (B, C', H', W')."""

    @abstractmethod
    def decode(self, z: Tensor) -> Tensor:
        """Latents (B, C', H', W') -> data (B, C, H, W)."""
