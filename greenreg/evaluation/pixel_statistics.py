"""Pixel statistics that see speckle, blur and grey backgrounds a feature FD can miss."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import Tensor

# a pixel is "mid-grey" strictly between these levels (images in [0, 1])
MID_GREY = (0.1, 0.9)
# spectral power beyond this fraction of the Nyquist radius counts as high frequency
HIGH_FREQUENCY_RADIUS = 0.5


@dataclass
class PixelStatistics:
    """Per-set means of four statistics of images in [0, 1] (real MNIST at 32x32 in brackets).

    Attributes:
        total_variation (float): sum of absolute horizontal and vertical neighbour
            differences per image (~102): speckle raises it.
        mid_grey_fraction (float): share of pixels in (0.1, 0.9) (~0.067): haze and noise.
        high_frequency_share (float): share of spectral power (DC removed) beyond half the
            Nyquist radius (~0.095): speckle and ringing.
        background_level (float): mean of the pixels below 0.5 (~0.011): a grey background.
    """

    total_variation: float
    mid_grey_fraction: float
    high_frequency_share: float
    background_level: float

    def as_dict(self) -> dict:
        """The four statistics by name."""
        return asdict(self)

    def ratios(self, reference: PixelStatistics) -> dict:
        """Each statistic divided by the reference's (1.0 = like real data)."""
        return {k: v / max(getattr(reference, k), 1e-12) for k, v in self.as_dict().items()}


def to_unit_range(images: Tensor) -> Tensor:
    """Images in [-1, 1] -> [0, 1], clamped, float64 (as a PNG of them would hold)."""
    return ((images.double() + 1) / 2).clamp(0, 1)


def high_frequency_share(images: Tensor) -> Tensor:
    """Per image, the share of 2-D spectral power beyond ``HIGH_FREQUENCY_RADIUS`` x Nyquist.

    Args:
        images (Tensor): shape (N, C, H, W), values in [0, 1].

    Returns:
        Tensor: shape (N,), in [0, 1].
    """
    x = images - images.mean(dim=(-2, -1), keepdim=True)  # drop DC: brightness is not detail
    power = torch.fft.fft2(x).abs().square().sum(1)  # (N, H, W)
    h, w = power.shape[-2:]
    fy = torch.fft.fftfreq(h, dtype=power.dtype).abs()[:, None] * 2  # 1 = Nyquist
    fx = torch.fft.fftfreq(w, dtype=power.dtype).abs()[None, :] * 2
    outer = (fy.square() + fx.square()).sqrt() > HIGH_FREQUENCY_RADIUS
    total = power.sum(dim=(-2, -1)).clamp_min(1e-12)
    return (power * outer).sum(dim=(-2, -1)) / total


def pixel_statistics(images: Tensor) -> PixelStatistics:
    """The four statistics of images (N, C, H, W) in [-1, 1], averaged over the set.

    Raises:
        ValueError: images not of shape (N, C, H, W) with N >= 1.
    """
    if images.dim() != 4 or len(images) == 0:
        raise ValueError(
            f"pixel_statistics: expected images of shape (N, C, H, W) with N >= 1, got "
            f"{tuple(images.shape)}."
        )
    x = to_unit_range(images)
    tv = (x[..., 1:, :] - x[..., :-1, :]).abs().sum(dim=(1, 2, 3)) + (
        x[..., :, 1:] - x[..., :, :-1]
    ).abs().sum(dim=(1, 2, 3))
    mid = ((x > MID_GREY[0]) & (x < MID_GREY[1])).double().mean(dim=(1, 2, 3))
    dark = x < 0.5
    background = (x * dark).sum(dim=(1, 2, 3)) / dark.sum(dim=(1, 2, 3)).clamp_min(1)
    return PixelStatistics(
        total_variation=float(tv.mean()),
        mid_grey_fraction=float(mid.mean()),
        high_frequency_share=float(high_frequency_share(x).mean()),
        background_level=float(background.mean()),
    )
