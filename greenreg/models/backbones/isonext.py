"""IsoNext (seed 002): a structure-preserving image-to-image backbone with shared AdaGN."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.utils.checkpoint import checkpoint

from greenreg.models.layers import Downsample, Fp32GroupNorm, TimeEmbedding, Upsample
from greenreg.models.layers.shared_adagn import AdaGNModulation, ModulatedResBlock
from greenreg.registry import MODELS
from greenreg.utils import check_int


@MODELS.register_module()
class IsoNextBackbone(nn.Module):
    """One full-resolution block, a stack of blocks at half resolution, one back up.

    The flow starts at the structure image itself, so the network only has to move pixels
    a short way: a shallow encoder-decoder (one skip at full resolution, no deeper levels)
    keeps the strokes' positions, and the depth sits at H/2 where ``num_layers`` AdaGN
    residual blocks carry the style. Seed 002's choices, each a switch for its ablation:

    - the AdaGN modulation MLP (embedding -> scale, shift) is shared by every
      ``share_adagn_every`` consecutive blocks of the stack (1 = one per block);
    - ``use_fp32_adagn``: the AdaGN statistics, its modulation and the output layer run in
      fp32 under bf16 autocast;
    - ``use_checkpoint``: gradient checkpointing of the stack (memory for compute).

    The embedding is the time embedding plus the condition (a style embedding of the same
    width, e.g. ClassEmbeddingConditioner with ``embed_dim = 4 * base_channels``).

    Args:
        in_channels (int): channels of x_t.
        image_size (int): side H = W, even.
        base_channels (int): C at full resolution; the stack runs at 2C.
        num_layers (int): blocks in the half-resolution stack.
        share_adagn_every (int): consecutive stack blocks per modulation MLP, >= 1.
        dropout (float): dropout in every block, in [0, 1).
        groups (int): GroupNorm groups; must divide C.
        use_fp32_adagn (bool): AdaGN and output layer in fp32 under autocast.
        use_checkpoint (bool): gradient checkpointing of the stack while training.
        out_channels (int | None): predicted channels; None = ``in_channels``.

    Example:
        ``dict(type='IsoNextBackbone', base_channels=32, num_layers=6, share_adagn_every=3)``
    """

    def __init__(
        self,
        in_channels: int = 1,
        image_size: int = 32,
        base_channels: int = 32,
        num_layers: int = 6,
        share_adagn_every: int = 3,
        dropout: float = 0.0,
        groups: int = 8,
        use_fp32_adagn: bool = True,
        use_checkpoint: bool = False,
        out_channels: int | None = None,
    ) -> None:
        super().__init__()
        where = "IsoNextBackbone.{0} (model.backbone.{0})"
        for name in ("in_channels", "base_channels", "num_layers", "share_adagn_every"):
            check_int(where.format(name), locals()[name], 1)
        check_int(where.format("image_size"), image_size, 2)
        if image_size % 2:
            raise ValueError(
                f"{where.format('image_size')}: expected an even side, got {image_size}."
            )
        if not 0 <= dropout < 1:
            raise ValueError(
                f"{where.format('dropout')}: expected a float in [0, 1), got {dropout}."
            )
        c, wide = base_channels, 2 * base_channels
        self.in_channels, self.image_size = in_channels, image_size
        self.out_channels = out_channels or in_channels
        self.emb_dim = 4 * c
        self.use_fp32_adagn, self.use_checkpoint = use_fp32_adagn, use_checkpoint
        self.share_adagn_every = share_adagn_every
        block = dict(dropout=dropout, groups=groups, use_fp32_norm=use_fp32_adagn)
        self.time_embed = TimeEmbedding(self.emb_dim)
        self.in_conv = nn.Conv2d(in_channels, c, 3, padding=1)
        self.encode = ModulatedResBlock(c, c, **block)
        self.encode_mod = AdaGNModulation(self.emb_dim, c, use_fp32_adagn)
        self.down = Downsample(c, wide)
        self.stack = nn.ModuleList(
            [ModulatedResBlock(wide, wide, **block) for _ in range(num_layers)]
        )
        num_mlps = -(-num_layers // share_adagn_every)  # ceil
        self.stack_mods = nn.ModuleList(
            [AdaGNModulation(self.emb_dim, wide, use_fp32_adagn) for _ in range(num_mlps)]
        )
        self.up = Upsample(wide, c)
        self.decode = ModulatedResBlock(2 * c, c, **block)
        self.decode_mod = AdaGNModulation(self.emb_dim, c, use_fp32_adagn)
        self.out_norm = Fp32GroupNorm(groups, c, eps=1e-6)
        self.out_conv = nn.Conv2d(c, self.out_channels, 3, padding=1)
        nn.init.zeros_(self.out_conv.weight)
        nn.init.zeros_(self.out_conv.bias)

    def embedding(self, t: Tensor, cond: Tensor | None) -> Tensor:
        """Time embedding (B, 4C) plus the condition's, when there is one."""
        emb = self.time_embed(t)
        if cond is None:
            return emb
        if cond.shape[-1] != self.emb_dim or cond.dim() != 2:
            raise ValueError(
                f"IsoNextBackbone: the condition is added to the time embedding; expected shape "
                f"(B, {self.emb_dim}) (embed_dim = 4 x base_channels), got {tuple(cond.shape)}."
            )
        return emb + cond

    def _run_stack(self, h: Tensor, emb: Tensor) -> Tensor:
        modulations = [mod(emb) for mod in self.stack_mods]  # one MLP call per group
        for i, layer in enumerate(self.stack):
            scale, shift = modulations[i // self.share_adagn_every]
            if self.use_checkpoint and self.training and torch.is_grad_enabled():
                h = checkpoint(layer, h, scale, shift, use_reentrant=False)
            else:
                h = layer(h, scale, shift)
        return h

    def forward(self, xt: Tensor, t: Tensor, cond: Tensor | None = None) -> Tensor:
        """The prediction at (xt, t) under an optional style embedding.

        Args:
            xt (Tensor): state on the path, shape (B, C_in, H, W).
            t (Tensor): time in [0, 1], shape (B,); t=1 is data.
            cond (Tensor | None): condition embedding, shape (B, 4 x base_channels).

        Returns:
            Tensor: prediction, shape (B, out_channels, H, W).
        """
        emb = self.embedding(t, cond)  # (B, 4C)
        skip = self.encode(self.in_conv(xt), *self.encode_mod(emb))  # (B, C, H, W)
        h = self._run_stack(self.down(skip), emb)  # (B, 2C, H/2, W/2)
        h = self.decode(torch.cat([self.up(h), skip], dim=1), *self.decode_mod(emb))
        h = F.silu(self.out_norm(h))  # (B, C, H, W)
        if not self.use_fp32_adagn:
            return self.out_conv(h)
        # output layer in fp32 (seed 002): it sets the predicted field's fine detail
        with torch.autocast(h.device.type, enabled=False):
            return self.out_conv(h.float())
