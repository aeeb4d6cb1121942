"""The residual block of ADM/EDM U-Nets and of the VAE, with optional AdaGN conditioning."""

from __future__ import annotations

from torch import Tensor, nn

from greenreg.models.layers.group_norm import AdaGroupNorm, Fp32GroupNorm, check_groups


class ResBlock(nn.Module):
    """GN -> SiLU -> conv3x3 -> (Ada)GN -> SiLU -> dropout -> conv3x3, plus a skip.

    Dhariwal & Nichol 2021 (ADM, "use_scale_shift_norm"): the embedding modulates the
    second norm. Without ``emb_dim`` it is an unconditioned block (the VAE's). The last
    convolution is zero-initialised, so the block starts as its skip path.

    Args:
        in_channels (int): C_in.
        out_channels (int): C_out; a 1x1 convolution maps the skip when they differ.
        emb_dim (int | None): width of the embedding e; None = no conditioning.
        dropout (float): dropout probability before the last convolution.
        groups (int): GroupNorm groups; must divide C_in and C_out.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        emb_dim: int | None = None,
        dropout: float = 0.0,
        groups: int = 32,
    ) -> None:
        super().__init__()
        check_groups(in_channels, groups, "ResBlock.groups")
        check_groups(out_channels, groups, "ResBlock.groups")
        self.norm1 = Fp32GroupNorm(groups, in_channels, eps=1e-6)
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, padding=1)
        self.conditioned = emb_dim is not None
        if emb_dim is None:
            self.norm2 = Fp32GroupNorm(groups, out_channels, eps=1e-6)
        else:
            self.norm2 = AdaGroupNorm(out_channels, emb_dim, groups)
        self.act = nn.SiLU()
        self.dropout = nn.Dropout(dropout)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1)
        nn.init.zeros_(self.conv2.weight)
        nn.init.zeros_(self.conv2.bias)
        self.skip = (
            nn.Identity()
            if in_channels == out_channels
            else nn.Conv2d(in_channels, out_channels, 1)
        )

    def forward(self, x: Tensor, emb: Tensor | None = None) -> Tensor:
        """Maps x (B, C_in, H, W) under emb (B, E) to (B, C_out, H, W).

        Raises:
            ValueError: a conditioned block called without emb.
        """
        if self.conditioned and emb is None:
            raise ValueError("ResBlock: built with emb_dim, so forward needs emb (B, E).")
        h = self.conv1(self.act(self.norm1(x)))
        h = self.norm2(h, emb) if self.conditioned else self.norm2(h)
        h = self.conv2(self.dropout(self.act(h)))
        return self.skip(x) + h
