"""A spatial condition concatenated to x_t as extra channels (seed 000: LDOS maps)."""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn

from greenreg.registry import MODELS


@MODELS.register_module()
class ChannelConcatConditioner(nn.Module):
    """Hands a batch entry (B, C_c, H, W) to the backbone as channels beside x_t.

    The backbone's ``in_channels`` must count them (x_t's plus ``channels``). With ``size``
    the condition is area-resampled to the flow's grid (a latent of a smaller side).
    Concatenation gives the backbone the condition at every position, the spatial prior a
    pooled embedding lacks (seed 000: LDOS maps concatenated to the latent).

    Args:
        key (str): the batch key holding the condition maps.
        channels (int): C_c, checked on every batch.
        size (int | None): side to resample the maps to; None keeps theirs.

    Example:
        ``conditioning=dict(type='ChannelConcatConditioner', key='ldos', channels=4)``
    """

    reaches = "channels"

    def __init__(self, key: str = "cond", channels: int = 1, size: int | None = None) -> None:
        super().__init__()
        self.key, self.channels, self.size = key, channels, size

    def forward(self, maps: Tensor) -> Tensor:
        """The maps (B, C_c, H, W), float, resampled to ``size`` when set."""
        if maps.dim() != 4 or maps.shape[1] != self.channels:
            raise ValueError(
                f"ChannelConcatConditioner (model.conditioning.key={self.key!r}): expected "
                f"maps of shape (B, {self.channels}, H, W), got {tuple(maps.shape)}."
            )
        maps = maps.float()
        if self.size is not None and maps.shape[-1] != self.size:
            maps = F.adaptive_avg_pool2d(maps, self.size)
        return maps
