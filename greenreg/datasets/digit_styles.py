"""Styles rendered from a digit's structure: the exact ground truth for style transfer.

Each style is a deterministic function of the structure image, so every stylised output a
model makes has a reference rendering of the same digit in the requested style. The six
span what a structure-preserving transfer must get right:

- ``thick``: grey dilation (3x3 max): a local, monotone change of stroke width;
- ``outline``: dilation minus the strokes: a hollow contour, the interior removed;
- ``slant``: a shear of 0.3 (italics): a geometric change, pixels move up to 5 px;
- ``shadow``: the strokes plus a half-bright copy offset by (2, 2) px;
- ``stripes``: strokes filled with diagonal stripes of period 4 px: high-frequency
  content that a low-precision normalisation blurs first (seed 002's "high-frequency PSNR");
- ``inverted``: 1 - x: a global change, the largest pixel distance from the structure.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

STYLES = ("thick", "outline", "slant", "shadow", "stripes", "inverted")
SLANT_SHEAR = 0.3
SHADOW_OFFSET_PX = 2
STRIPE_PERIOD_PX = 4


def _dilate(x: Tensor) -> Tensor:
    return F.max_pool2d(x, 3, stride=1, padding=1)


def _shear(x: Tensor, shear: float) -> Tensor:
    theta = torch.tensor([[1.0, shear, 0.0], [0.0, 1.0, 0.0]], dtype=x.dtype, device=x.device)
    grid = F.affine_grid(theta.expand(len(x), 2, 3), list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def _shadow(x: Tensor) -> Tensor:
    k = SHADOW_OFFSET_PX
    shifted = F.pad(x, (k, 0, k, 0))[..., : x.shape[-2], : x.shape[-1]]  # down-right by k
    return torch.maximum(x, 0.5 * shifted)


def _stripes(x: Tensor) -> Tensor:
    h, w = x.shape[-2:]
    rows = torch.arange(h, device=x.device)[:, None]
    cols = torch.arange(w, device=x.device)[None, :]
    mask = ((rows + cols) // (STRIPE_PERIOD_PX // 2)) % 2 == 0  # (H, W)
    return x * mask.to(x.dtype)


def render_style(structure: Tensor, style: str) -> Tensor:
    """The structure images rendered in one style.

    Args:
        structure (Tensor): digits, shape (B, 1, H, W), values in [0, 1] (0 = background).
        style (str): one of :data:`STYLES`.

    Returns:
        Tensor: shape (B, 1, H, W), values in [0, 1].

    Raises:
        KeyError: an unknown style (names the known ones).
    """
    if style not in STYLES:
        raise KeyError(f"render_style: unknown style; expected one of {STYLES}, got {style!r}.")
    x = structure
    if style == "thick":
        out = _dilate(x)
    elif style == "outline":
        out = _dilate(x) - x
    elif style == "slant":
        out = _shear(x, SLANT_SHEAR)
    elif style == "shadow":
        out = _shadow(x)
    elif style == "stripes":
        out = _stripes(x)
    else:
        out = 1 - x
    return out.clamp(0, 1)


def style_index(style: str | int) -> int:
    """The index of a style given by name or index.

    Raises:
        KeyError: an unknown name or an index outside [0, len(STYLES)).
    """
    if isinstance(style, str):
        if style not in STYLES:
            raise KeyError(f"unknown style; expected one of {STYLES}, got {style!r}.")
        return STYLES.index(style)
    if not 0 <= int(style) < len(STYLES):
        raise KeyError(f"unknown style index; expected 0..{len(STYLES) - 1}, got {style}.")
    return int(style)
