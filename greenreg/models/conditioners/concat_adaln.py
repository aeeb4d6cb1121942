"""Spatial maps given to the backbone twice: as channels beside x_t and as an adaLN embedding."""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn

from greenreg.registry import MODELS
from greenreg.utils import check_int


@MODELS.register_module()
class ConcatAdaLNConditioner(nn.Module):
    """Maps (B, C_c, H, W) -> features on the flow's grid (concat) + a pooled embedding (adaLN).

    Seed 000 ("Concat + adaLN"): the LDOS maps reach the latent DiT at every position, as
    channels concatenated to the noisy latent, and globally, as an embedding added to the
    time embedding that modulates every block. The maps are folded to the latent's grid by
    pixel unshuffle (nothing averaged away: each latent cell sees its factor^2 sites at
    every energy) and two 3x3 convolutions; the embedding is an MLP of their spatial mean.
    The backbone's ``in_channels`` counts x_t's channels plus ``concat_channels``.

    Args:
        key (str): the batch key holding the maps.
        channels (int): C_c (energies), checked on every batch.
        factor (int): the map side over the flow's side (the VAE's downsampling).
        concat_channels (int): feature channels concatenated to x_t.
        embed_dim (int): width of the adaLN embedding (the backbone's width).
        hidden_channels (int): width of the folding convolutions.

    Example:
        ``conditioning=dict(type='ConcatAdaLNConditioner', key='ldos', channels=4, factor=4,
        concat_channels=16, embed_dim=128)``
    """

    reaches = "channels_and_embedding"

    def __init__(
        self,
        key: str = "ldos",
        channels: int = 4,
        factor: int = 4,
        concat_channels: int = 16,
        embed_dim: int = 128,
        hidden_channels: int = 64,
    ) -> None:
        super().__init__()
        for name in ("channels", "factor", "concat_channels", "embed_dim", "hidden_channels"):
            where = f"ConcatAdaLNConditioner.{name} (model.conditioning.{name})"
            check_int(where, locals()[name], 1)
        self.key, self.channels, self.factor = key, channels, factor
        self.fold = nn.Sequential(
            nn.Conv2d(channels * factor**2, hidden_channels, 3, padding=1),
            nn.SiLU(),
            nn.Conv2d(hidden_channels, concat_channels, 3, padding=1),
        )
        self.embed = nn.Sequential(
            nn.Linear(concat_channels, embed_dim), nn.SiLU(), nn.Linear(embed_dim, embed_dim)
        )

    def forward(self, maps: Tensor) -> Tensor:
        """Features (B, concat_channels, H / factor, W / factor) of maps (B, C_c, H, W)."""
        if maps.dim() != 4 or maps.shape[1] != self.channels:
            raise ValueError(
                f"ConcatAdaLNConditioner (model.conditioning.key={self.key!r}): expected maps "
                f"of shape (B, {self.channels}, H, W), got {tuple(maps.shape)}."
            )
        if maps.shape[-2] % self.factor or maps.shape[-1] % self.factor:
            raise ValueError(
                f"ConcatAdaLNConditioner.factor (model.conditioning.factor): the maps' side "
                f"must be a multiple of {self.factor}; got {tuple(maps.shape[-2:])}."
            )
        return self.fold(F.pixel_unshuffle(maps.float(), self.factor))

    def embedding(self, features: Tensor) -> Tensor:
        """The adaLN embedding (B, embed_dim) of :meth:`forward`'s features."""
        return self.embed(features.mean(dim=(2, 3)))
