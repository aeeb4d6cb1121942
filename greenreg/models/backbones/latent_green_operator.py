"""The Latent Green Operator: LDOS maps predicted from a (noisy) latent and its time."""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn

from greenreg.models.layers import Fp32GroupNorm, ResBlock, TimeEmbedding
from greenreg.registry import MODELS
from greenreg.utils import check_int


@MODELS.register_module()
class LatentGreenOperator(nn.Module):
    """(z_t (B, C_z, h, w), t (B,)) -> LDOS (B, C_e, h * factor, w * factor).

    Seed 000's physics operator: a learned, differentiable stand-in for the Green's
    function map potential -> LDOS, working on the VAE's latent. It is time-aware (AdaGN
    ResBlocks under a time embedding, as the denoiser's): at t = 1 it reads a clean latent,
    at smaller t a noisy one, so it can both train on every noise level and judge the
    denoiser's clean estimate. All blocks run at the latent's resolution; the last
    convolution gives each latent cell its factor x factor sites at every energy (sub-pixel
    convolution, Shi et al. 2016), so the maps come back on the lattice's grid and are
    compared with the measured ones site by site.

    Args:
        latent_channels (int): C_z.
        ldos_channels (int): C_e, the number of energies.
        factor (int): map side over latent side (the VAE's downsampling).
        width (int): channels of the ResBlocks.
        num_res_blocks (int): time-conditioned ResBlocks at the latent's resolution.
        groups (int): GroupNorm groups.

    Example:
        ``dict(type='LatentGreenOperator', latent_channels=4, ldos_channels=4, factor=4)``
    """

    def __init__(
        self,
        latent_channels: int = 4,
        ldos_channels: int = 4,
        factor: int = 4,
        width: int = 64,
        num_res_blocks: int = 2,
        groups: int = 8,
    ) -> None:
        super().__init__()
        for name in ("latent_channels", "ldos_channels", "factor", "width", "num_res_blocks"):
            check_int(f"LatentGreenOperator.{name} (*.operator.{name})", locals()[name], 1)
        emb = 4 * width
        self.factor = factor
        self.time_embed = TimeEmbedding(emb)
        self.conv_in = nn.Conv2d(latent_channels, width, 3, padding=1)
        self.blocks = nn.ModuleList(
            ResBlock(width, width, emb_dim=emb, groups=groups) for _ in range(num_res_blocks)
        )
        # every site's value from its latent cell: factor^2 sub-pixel channels, shuffled out
        self.out = nn.Sequential(
            Fp32GroupNorm(groups, width, eps=1e-6),
            nn.SiLU(),
            nn.Conv2d(width, ldos_channels * factor**2, 3, padding=1),
        )

    def forward(self, z: Tensor, t: Tensor) -> Tensor:
        """LDOS maps (B, C_e, H, W) (in the data set's normalisation) at latent z and time t."""
        emb = self.time_embed(t)  # (B, 4 width)
        h = self.conv_in(z)
        for block in self.blocks:
            h = block(h, emb)
        return F.pixel_shuffle(self.out(h), self.factor)  # (B, C_e, H, W)
