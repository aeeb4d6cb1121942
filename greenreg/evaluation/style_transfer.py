"""Per-sample scores of a stylised output against its ground-truth rendering (seed 002).

Every function takes ``output`` and ``reference`` of shape (B, C, H, W) with values in
[-1, 1], maps both to [0, 1] (clamped, float64: what a PNG of them would hold) and returns
one value per sample, shape (B,), float64. PSNRs are capped at :data:`PSNR_CAP_DB` so that
identical images give a finite number that means and spreads can average.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor

from greenreg.evaluation.pixel_statistics import to_unit_range

# identical images have MSE 0 (PSNR +inf): the MSE is floored at 1e-10, so PSNR <= 100 dB
PSNR_CAP_DB = 100.0
# Sobel kernel for d/dx (d/dy is its transpose), scaled by 1/8 so a unit step reads 1/2
SOBEL_X = ((1.0, 0.0, -1.0), (2.0, 0.0, -2.0), (1.0, 0.0, -1.0))
# the reference's edge pixels: gradient magnitude at or above this per-image quantile
EDGE_QUANTILE = 0.8
# the high-pass filter: image minus its Gaussian blur of this width (5 x 5 taps)
HIGH_PASS_SIGMA_PX = 1.0


def _unit_pair(name: str, output: Tensor, reference: Tensor) -> tuple[Tensor, Tensor]:
    """Both images in [0, 1], float64, after checking they are one (B, C, H, W) shape."""
    if output.dim() != 4 or output.shape != reference.shape or len(output) == 0:
        raise ValueError(
            f"{name}.output: must match the reference; expected two (B, C, H, W) tensors of "
            f"one shape with B >= 1, got {tuple(output.shape)} and {tuple(reference.shape)}."
        )
    return to_unit_range(output), to_unit_range(reference)


def _psnr(mse: Tensor) -> Tensor:
    """10 log10(1 / mse) for a peak of 1, the MSE floored so the result is <= PSNR_CAP_DB."""
    return -10 * torch.log10(mse.clamp_min(10 ** (-PSNR_CAP_DB / 10)))


def structure_psnr(output: Tensor, reference: Tensor) -> Tensor:
    """PSNR in dB of each output against its reference, on the [0, 1] scale (peak 1).

    PSNR = 10 log10(1 / MSE), MSE the mean over C, H, W of the squared difference of the
    two [0, 1] images; capped at ``PSNR_CAP_DB`` (100 dB, MSE floored at 1e-10).

    Args:
        output (Tensor): generated images, shape (B, C, H, W), in [-1, 1].
        reference (Tensor): ground-truth renderings, same shape, in [-1, 1].

    Returns:
        Tensor: PSNR per sample, shape (B,), dB, in (-inf, 100].
    """
    out, ref = _unit_pair("structure_psnr", output, reference)
    return _psnr((out - ref).square().mean(dim=(1, 2, 3)))


def artifact_rate(output: Tensor, reference: Tensor, threshold: float = 0.25) -> Tensor:
    """Per sample, the share of pixels wrong by more than ``threshold`` on the [0, 1] scale.

    A pixel (one channel value) is an artifact if |output - reference| > threshold, both in
    [0, 1]; the rate is their count over C x H x W. At 0.25 a stray half-grey speck or a
    missing stroke pixel counts; the anti-aliasing differences of a good output do not.

    Args:
        output (Tensor): generated images, shape (B, C, H, W), in [-1, 1].
        reference (Tensor): ground-truth renderings, same shape, in [-1, 1].
        threshold (float): absolute error on the [0, 1] scale, in [0, 1).

    Returns:
        Tensor: share per sample, shape (B,), in [0, 1].

    Raises:
        ValueError: a threshold outside [0, 1).
    """
    if not 0 <= threshold < 1:
        raise ValueError(
            f"artifact_rate.threshold: out of range; expected a float in [0, 1), got {threshold}."
        )
    out, ref = _unit_pair("artifact_rate", output, reference)
    return ((out - ref).abs() > threshold).double().mean(dim=(1, 2, 3))


def sobel_magnitude(images: Tensor) -> Tensor:
    """Sobel gradient magnitude per pixel, same shape as ``images`` (B, C, H, W).

    Kernels scaled by 1/8 (a unit step reads 1/2 on both of its sides); replicate padding,
    so the image border is no edge.
    """
    kx = images.new_tensor(SOBEL_X) / 8
    kernels = torch.stack([kx, kx.T])[:, None].repeat(images.shape[1], 1, 1, 1)  # (2C, 1, 3, 3)
    padded = F.pad(images, (1, 1, 1, 1), mode="replicate")
    grads = F.conv2d(padded, kernels, groups=images.shape[1])  # (B, 2C, H, W)
    gx, gy = grads[:, 0::2], grads[:, 1::2]
    return (gx.square() + gy.square()).sqrt()


def edge_sharpness(output: Tensor, reference: Tensor) -> Tensor:
    """Per sample: the output's gradient on the reference's edges over the reference's own.

    With G the Sobel gradient magnitude (:func:`sobel_magnitude`) of a [0, 1] image and E
    the reference's edge pixels, those where G(reference) > 0 and G(reference) is at least
    its per-image ``EDGE_QUANTILE`` (80th percentile):
    sharpness = sum_E G(output) / sum_E G(reference). 1 = edges as steep as the truth's,
    < 1 blurred (or misplaced) edges, > 1 overshoot. A reference without any edge (a flat
    image) gives NaN.

    Args:
        output (Tensor): generated images, shape (B, C, H, W), in [-1, 1].
        reference (Tensor): ground-truth renderings, same shape, in [-1, 1].

    Returns:
        Tensor: ratio per sample, shape (B,), >= 0 (NaN for a flat reference).
    """
    out, ref = _unit_pair("edge_sharpness", output, reference)
    g_out, g_ref = sobel_magnitude(out).flatten(1), sobel_magnitude(ref).flatten(1)  # (B, CHW)
    cut = torch.quantile(g_ref, EDGE_QUANTILE, dim=1, keepdim=True)  # (B, 1)
    edges = (g_ref >= cut) & (g_ref > 0)
    truth = (g_ref * edges).sum(1)
    ratio = (g_out * edges).sum(1) / truth.clamp_min(1e-300)
    return torch.where(truth > 0, ratio, torch.full_like(ratio, math.nan))


def high_pass(images: Tensor, sigma_px: float = HIGH_PASS_SIGMA_PX) -> Tensor:
    """``images`` (B, C, H, W) minus their Gaussian blur (5 x 5 taps, reflect padding)."""
    taps = torch.arange(-2, 3, dtype=images.dtype, device=images.device)
    g = torch.exp(-0.5 * (taps / sigma_px).square())
    g = g / g.sum()
    kernel = (g[:, None] * g[None, :])[None, None].repeat(images.shape[1], 1, 1, 1)
    blurred = F.conv2d(F.pad(images, (2, 2, 2, 2), mode="reflect"), kernel, groups=images.shape[1])
    return images - blurred


def high_frequency_psnr(output: Tensor, reference: Tensor) -> Tensor:
    """PSNR in dB of the high-pass parts: detail such as stripes and stroke edges.

    PSNR (peak 1, capped at ``PSNR_CAP_DB`` as :func:`structure_psnr`) between
    ``high_pass(output)`` and ``high_pass(reference)`` of the [0, 1] images, the high pass
    being the image minus its Gaussian blur of ``HIGH_PASS_SIGMA_PX`` = 1 px. Blurred
    outputs lose exactly this part, so it falls where the plain PSNR barely moves.

    Args:
        output (Tensor): generated images, shape (B, C, H, W), in [-1, 1].
        reference (Tensor): ground-truth renderings, same shape, in [-1, 1].

    Returns:
        Tensor: PSNR per sample, shape (B,), dB, in (-inf, 100].
    """
    out, ref = _unit_pair("high_frequency_psnr", output, reference)
    return _psnr((high_pass(out) - high_pass(ref)).square().mean(dim=(1, 2, 3)))
