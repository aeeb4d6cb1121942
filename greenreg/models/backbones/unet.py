"""An ADM/EDM-style U-Net that predicts a field on images from (x_t, t, condition)."""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from greenreg.models.layers import Downsample, Fp32GroupNorm, TimeEmbedding, UNetStage, Upsample
from greenreg.registry import MODELS
from greenreg.utils import check_int


@MODELS.register_module()
class UNetBackbone(nn.Module):
    """Encoder-decoder of ResBlocks with skip connections, AdaGN conditioning, attention.

    Dhariwal & Nichol 2021 (ADM) and Karras et al. 2022 (EDM's DDPM++ layout): per level
    ``num_res_blocks`` ResBlocks at ``base_channels * mult`` channels, self-attention at the
    sides in ``attention_resolutions``, a stride-2 downsample between levels; the decoder
    mirrors it with one more block per level, each fed the matching encoder activation.
    Time and a vector condition are summed into one embedding that modulates every block's
    second GroupNorm (AdaGN scale-shift). Output convolution and every residual branch are
    zero-initialised, so the untrained network predicts 0.

    Args:
        in_channels (int): channels of x_t (plus any concatenated condition channels).
        image_size (int): side H = W in pixels; divisible by patch_size * 2 ** (levels - 1).
        patch_size (int): p; the network runs on p x p pixel blocks folded into channels
            (pixel unshuffle in, shuffle out), as simple diffusion's patched U-Net does
            (Hoogeboom et al. 2023): the full-resolution level, most of the compute at this
            size, is replaced by one at H / p. 1 = plain pixels.
        base_channels (int): channels of the first level.
        channel_mults (Sequence[int]): per-level multipliers of ``base_channels``.
        num_res_blocks (int): ResBlocks per encoder level.
        attention_resolutions (Sequence[int]): sides (of the feature map) at which to attend.
        num_heads (int): attention heads.
        dropout (float): ResBlock dropout.
        out_channels (int | None): predicted channels; None = ``in_channels``.
        cond_dim (int | None): width of a vector condition (B, D_c), projected into the
            embedding; None = a condition must already be the embedding's width (4 x base).
        context_dim (int | None): width of condition tokens (B, L, D) to cross-attend to at
            the attention resolutions; None = no cross-attention.
        groups (int): GroupNorm groups.
        use_checkpoint (bool): gradient checkpointing of every stage (memory for compute).
        use_channels_last (bool): keep convolution weights and activations in NHWC; oneDNN's
            convolutions made the main job's fp32 training step 1.12x faster on a 2-core CPU
            here (118 vs 132 ms at batch 32; 1.19x under bf16 autocast).

    Example:
        ``dict(type='UNetBackbone', in_channels=1, image_size=32, base_channels=32,
        channel_mults=(1, 2, 2), attention_resolutions=(8,))``
    """

    def __init__(
        self,
        in_channels: int = 1,
        image_size: int = 32,
        patch_size: int = 1,
        base_channels: int = 64,
        channel_mults: Sequence[int] = (1, 2, 2),
        num_res_blocks: int = 2,
        attention_resolutions: Sequence[int] = (8,),
        num_heads: int = 4,
        dropout: float = 0.0,
        out_channels: int | None = None,
        cond_dim: int | None = None,
        context_dim: int | None = None,
        groups: int = 32,
        use_checkpoint: bool = False,
        use_channels_last: bool = False,
    ) -> None:
        super().__init__()
        where = "UNetBackbone.{0} (model.backbone.{0})"
        for name in ("in_channels", "image_size", "patch_size", "base_channels", "num_res_blocks"):
            check_int(where.format(name), locals()[name], 1)
        if not channel_mults or any(int(m) < 1 for m in channel_mults):
            raise ValueError(
                f"{where.format('channel_mults')}: expected a non-empty sequence of ints >= 1, "
                f"got {channel_mults!r}."
            )
        if image_size % (patch_size * 2 ** (len(channel_mults) - 1)):
            raise ValueError(
                f"{where.format('image_size')}: patches of {patch_size} and {len(channel_mults)} "
                f"levels halve the side {len(channel_mults) - 1} times; expected a multiple of "
                f"{patch_size * 2 ** (len(channel_mults) - 1)}, got {image_size}."
            )
        if not 0 <= dropout < 1:
            raise ValueError(f"{where.format('dropout')}: expected [0, 1), got {dropout}.")
        self.in_channels, self.image_size, self.patch_size = in_channels, image_size, patch_size
        self.out_channels = in_channels if out_channels is None else out_channels
        self.emb_dim = emb_dim = 4 * base_channels
        self.cond_dim = cond_dim
        self.time_embed = TimeEmbedding(emb_dim)
        self.cond_proj = nn.Linear(cond_dim, emb_dim) if cond_dim is not None else None
        stage = dict(
            emb_dim=emb_dim,
            dropout=dropout,
            num_heads=num_heads,
            context_dim=context_dim,
            groups=groups,
            use_checkpoint=use_checkpoint,
        )
        widths = [base_channels * int(m) for m in channel_mults]
        self.in_conv = nn.Conv2d(in_channels * patch_size**2, base_channels, 3, padding=1)
        side = image_size // patch_size
        self.down, skips, ch = nn.ModuleList(), [base_channels], base_channels
        for level, width in enumerate(widths):
            for _ in range(num_res_blocks):
                attend = side in attention_resolutions
                self.down.append(UNetStage(ch, width, attention=attend, **stage))
                ch = width
                skips.append(ch)
            if level < len(widths) - 1:
                self.down.append(Downsample(ch))
                skips.append(ch)
                side //= 2
        self.middle = nn.ModuleList(
            [UNetStage(ch, ch, attention=True, **stage), UNetStage(ch, ch, **stage)]
        )
        self.up = nn.ModuleList()
        for level, width in reversed(list(enumerate(widths))):
            for _ in range(num_res_blocks + 1):
                attend = side in attention_resolutions
                self.up.append(UNetStage(ch + skips.pop(), width, attention=attend, **stage))
                ch = width
            if level > 0:
                self.up.append(Upsample(ch))
                side *= 2
        self.out = nn.Sequential(
            Fp32GroupNorm(groups, ch, eps=1e-6),
            nn.SiLU(),
            nn.Conv2d(ch, self.out_channels * patch_size**2, 3, padding=1),
        )
        nn.init.zeros_(self.out[-1].weight)
        nn.init.zeros_(self.out[-1].bias)
        self.use_channels_last = use_channels_last
        if use_channels_last:
            self.to(memory_format=torch.channels_last)

    def embedding(self, t: Tensor, cond: Tensor | None) -> Tensor:
        """Time embedding (B, 4 x base) plus the vector condition's, when there is one."""
        emb = self.time_embed(t)
        if cond is None or cond.dim() == 3:
            return emb
        if self.cond_proj is not None:
            return emb + self.cond_proj(cond)
        if cond.shape[-1] != self.emb_dim:
            raise ValueError(
                f"UNetBackbone.cond_dim (model.backbone.cond_dim): a condition of width "
                f"{cond.shape[-1]} needs cond_dim={cond.shape[-1]}; expected a condition of "
                f"the embedding's width {self.emb_dim} without it, got shape {tuple(cond.shape)}."
            )
        return emb + cond

    def forward(self, xt: Tensor, t: Tensor, cond: Tensor | None = None) -> Tensor:
        """The prediction at (xt, t) under an optional condition.

        Args:
            xt (Tensor): state on the path, shape (B, C_in, H, W).
            t (Tensor): time in [0, 1], shape (B,); t=1 is data.
            cond (Tensor | None): a vector condition (B, D_c), added to the time embedding,
                or condition tokens (B, L, D) for cross-attention.

        Returns:
            Tensor: prediction, shape (B, out_channels, H, W).
        """
        emb = self.embedding(t, cond)
        context = cond if cond is not None and cond.dim() == 3 else None
        if self.use_channels_last:
            xt = xt.contiguous(memory_format=torch.channels_last)
        h = self.in_conv(F.pixel_unshuffle(xt, self.patch_size) if self.patch_size > 1 else xt)
        skips = [h]
        for layer in self.down:
            h = layer(h) if isinstance(layer, Downsample) else layer(h, emb, context)
            skips.append(h)
        for layer in self.middle:
            h = layer(h, emb, context)
        for layer in self.up:
            if isinstance(layer, Upsample):
                h = layer(h)
            else:
                h = layer(torch.cat([h, skips.pop()], dim=1), emb, context)
        h = self.out[:-1](h)
        # output layer in fp32 (seed 002 found bf16 error there): it sets the predicted field
        with torch.autocast(h.device.type, enabled=False):
            out = self.out[-1](h.float())
        return (F.pixel_shuffle(out, self.patch_size) if self.patch_size > 1 else out).contiguous()
