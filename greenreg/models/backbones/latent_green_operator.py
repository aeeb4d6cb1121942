"""The Latent Green Operator: LDOS maps predicted from a (noisy) latent and its time."""

from __future__ import annotations

from torch import Tensor, nn

from greenreg.models.layers import Fp32GroupNorm, ResBlock, TimeEmbedding, Upsample
from greenreg.registry import MODELS
from greenreg.utils import check_int


@MODELS.register_module()
class LatentGreenOperator(nn.Module):
    """(z_t (B, C_z, h, w), t (B,)) -> LDOS (B, C_e, h * factor, w * factor).

    Seed 000's physics operator: a learned, differentiable stand-in for the Green's
    function map potential -> LDOS, working on the VAE's latent. It is time-aware (AdaGN
    ResBlocks under a time embedding, as the denoiser's): at t = 1 it reads a clean latent,
    at smaller t a noisy one, so it can both train on every noise level and judge the
    denoiser's clean estimate. Upsampling by ``factor`` (a power of 2) returns the maps on
    the lattice's grid, so they are compared with the measured ones site by site.

    Args:
        latent_channels (int): C_z.
        ldos_channels (int): C_e, the number of energies.
        factor (int): map side over latent side, a power of 2 (the VAE's downsampling).
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
        if factor & (factor - 1):
            raise ValueError(
                f"LatentGreenOperator.factor (*.operator.factor): expected a power of 2, "
                f"got {factor}."
            )
        emb = 4 * width
        self.time_embed = TimeEmbedding(emb)
        self.conv_in = nn.Conv2d(latent_channels, width, 3, padding=1)
        self.blocks = nn.ModuleList(
            ResBlock(width, width, emb_dim=emb, groups=groups) for _ in range(num_res_blocks)
        )
        ups: list[nn.Module] = []
        for _ in range(factor.bit_length() - 1):
            ups += [Upsample(width), ResBlock(width, width, emb_dim=emb, groups=groups)]
        self.ups = nn.ModuleList(ups)
        self.out = nn.Sequential(
            Fp32GroupNorm(groups, width, eps=1e-6),
            nn.SiLU(),
            nn.Conv2d(width, ldos_channels, 3, padding=1),
        )

    def forward(self, z: Tensor, t: Tensor) -> Tensor:
        """LDOS maps (B, C_e, H, W) (in the data set's normalisation) at latent z and time t."""
        emb = self.time_embed(t)  # (B, 4 width)
        h = self.conv_in(z)
        for block in self.blocks:
            h = block(h, emb)
        for layer in self.ups:
            h = layer(h, emb) if isinstance(layer, ResBlock) else layer(h)
        return self.out(h)  # (B, C_e, H, W)
