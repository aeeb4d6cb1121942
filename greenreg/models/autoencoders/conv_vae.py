"""A convolutional VAE from the U-Net's ResBlocks (seed 000's VAE for potential maps)."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

from greenreg.models.autoencoders.base import BaseAutoencoder
from greenreg.models.layers import Downsample, Fp32GroupNorm, ResBlock, Upsample
from greenreg.registry import MODELS
from greenreg.utils import check_int


@dataclass
class GaussianMoments:
    """The encoder's diagonal Gaussian posterior q(z | x).

    Attributes:
        mean (Tensor): shape (B, C_z, h, w).
        log_var (Tensor): shape (B, C_z, h, w), clamped to [-30, 20] (exp stays finite).
    """

    mean: Tensor
    log_var: Tensor

    def sample(self, generator: torch.Generator | None = None) -> Tensor:
        """Draws z = mean + exp(log_var / 2) * eps (the reparameterisation), shape of ``mean``."""
        eps = torch.randn(
            self.mean.shape, generator=generator, device=self.mean.device, dtype=self.mean.dtype
        )
        return self.mean + torch.exp(0.5 * self.log_var) * eps


@MODELS.register_module()
class ConvVAE(BaseAutoencoder):
    """Encoder: conv -> [ResBlocks, downsample] per level -> (mean, log_var); decoder mirrors.

    Kingma & Welling 2014 with the ResBlocks of the U-Net (Rombach et al. 2022's
    autoencoder at small scale). Seed 000: 96 base channels, 3 ResBlocks per level; the
    default here is small enough to train on a CPU. ``encode_moments`` is the one encoder
    path: training samples from it (:meth:`GaussianMoments.sample`), and :meth:`encode`
    (what a latent flow and every evaluation use) returns its mean, so training and
    evaluation see the same latents. The latent statistics (``latent_shift``,
    ``latent_scale``, per channel) are buffers filled once by LatentStatisticsHook and
    saved with every checkpoint.

    Args:
        image_shape (tuple[int, int, int]): (C, H, W) of the data; H and W must be
            multiples of 2^(len(channel_mults) - 1).
        latent_channels (int): C_z.
        base_channels (int): width of the first level.
        channel_mults (tuple[int, ...]): width multiplier per level; each level after the
            first halves the side.
        num_res_blocks (int): ResBlocks per level.
        groups (int): GroupNorm groups (divides every width).

    Raises:
        ValueError: a side the levels cannot halve, or bad sizes.

    Example:
        ``dict(type='ConvVAE', image_shape=(1, 32, 32), latent_channels=4)``
    """

    def __init__(
        self,
        image_shape: tuple | list = (1, 32, 32),
        latent_channels: int = 4,
        base_channels: int = 32,
        channel_mults: tuple | list = (1, 2, 2),
        num_res_blocks: int = 1,
        groups: int = 8,
    ) -> None:
        super().__init__()
        c, h, w = (int(v) for v in image_shape)
        for name, value in (("latent_channels", latent_channels), ("base_channels", base_channels),
                            ("num_res_blocks", num_res_blocks)):  # fmt: skip
            check_int(f"ConvVAE.{name} (model.autoencoder.{name})", value, 1)
        factor = 2 ** (len(channel_mults) - 1)
        if h % factor or w % factor:
            raise ValueError(
                f"ConvVAE.image_shape (model.autoencoder.image_shape): {len(channel_mults)} "
                f"levels downsample by {factor}; expected H and W multiples of {factor}, got "
                f"{tuple(image_shape)}."
            )
        self.image_shape = (c, h, w)
        self.latent_shape = (latent_channels, h // factor, w // factor)
        widths = [base_channels * m for m in channel_mults]
        self.encoder = self._encoder(c, widths, num_res_blocks, groups, latent_channels)
        self.decoder = self._decoder(c, widths, num_res_blocks, groups, latent_channels)
        self.register_buffer("latent_shift", torch.zeros(latent_channels))
        self.register_buffer("latent_scale", torch.ones(latent_channels))
        self.register_buffer("latent_stats_ready", torch.tensor(False))

    @staticmethod
    def _encoder(c: int, widths: list, blocks: int, groups: int, c_z: int) -> nn.Sequential:
        layers: list[nn.Module] = [nn.Conv2d(c, widths[0], 3, padding=1)]
        width = widths[0]
        for level, out in enumerate(widths):
            for _ in range(blocks):
                layers.append(ResBlock(width, out, groups=groups))
                width = out
            if level < len(widths) - 1:
                layers.append(Downsample(width))
        layers += [ResBlock(width, width, groups=groups), Fp32GroupNorm(groups, width, eps=1e-6)]
        layers += [nn.SiLU(), nn.Conv2d(width, 2 * c_z, 3, padding=1)]
        return nn.Sequential(*layers)

    @staticmethod
    def _decoder(c: int, widths: list, blocks: int, groups: int, c_z: int) -> nn.Sequential:
        width = widths[-1]
        layers: list[nn.Module] = [nn.Conv2d(c_z, width, 3, padding=1)]
        layers.append(ResBlock(width, width, groups=groups))
        for level, out in reversed(list(enumerate(widths))):
            for _ in range(blocks):
                layers.append(ResBlock(width, out, groups=groups))
                width = out
            if level > 0:
                layers.append(Upsample(width))
        layers += [Fp32GroupNorm(groups, width, eps=1e-6), nn.SiLU()]
        layers.append(nn.Conv2d(width, c, 3, padding=1))
        return nn.Sequential(*layers)

    def encode_moments(self, x: Tensor) -> GaussianMoments:
        """q(z | x) for data x (B, C, H, W): mean and log-variance, each (B, C_z, h, w)."""
        if tuple(x.shape[1:]) != self.image_shape:
            raise ValueError(
                f"ConvVAE.encode: expected data of shape "
                f"(B, {', '.join(map(str, self.image_shape))}), got {tuple(x.shape)}."
            )
        mean, log_var = self.encoder(x).float().chunk(2, dim=1)
        return GaussianMoments(mean, log_var.clamp(-30.0, 20.0))

    def encode(self, x: Tensor) -> Tensor:
        """The posterior mean, (B, C_z, h, w): the latent every flow and evaluation uses."""
        return self.encode_moments(x).mean

    def decode(self, z: Tensor) -> Tensor:
        """Latents (B, C_z, h, w) -> data (B, C, H, W), unbounded (potentials are not images)."""
        return self.decoder(z)
