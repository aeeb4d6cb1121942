"""A small Diffusion Transformer that predicts a velocity field on images."""

from __future__ import annotations

from einops import rearrange
from torch import Tensor, nn

from greenreg.models.layers import DiTBlock, TimeEmbedding, modulate, sincos_2d_embedding
from greenreg.registry import MODELS
from greenreg.utils import check_int


@MODELS.register_module()
class DiTBackbone(nn.Module):
    """Patchify -> DiT blocks with adaLN-zero time conditioning -> unpatchify.

    Peebles & Xie 2023 ("Scalable Diffusion Models with Transformers"), at toy scale.

    Args:
        in_channels (int): image channels C.
        image_size (int): image side H = W, in pixels; divisible by ``patch_size``.
        patch_size (int): patch side p; the model sees (H/p)^2 tokens.
        width (int): token width D.
        depth (int): number of DiT blocks.
        num_heads (int): attention heads per block.
        mlp_ratio (float): MLP hidden width relative to D.
        out_channels (int | None): predicted channels; None = ``in_channels`` (set it when
            conditions are concatenated to x_t as extra input channels).

    Example:
        ``dict(type='DiTBackbone', in_channels=1, image_size=32, patch_size=4, width=128)``
    """

    def __init__(
        self,
        in_channels: int = 1,
        image_size: int = 32,
        patch_size: int = 4,
        width: int = 128,
        depth: int = 4,
        num_heads: int = 4,
        mlp_ratio: float = 4.0,
        out_channels: int | None = None,
    ) -> None:
        super().__init__()
        for name in ("in_channels", "image_size", "patch_size", "width", "depth", "num_heads"):
            check_int(f"DiTBackbone.{name} (model.backbone.{name})", locals()[name], 1)
        if width % num_heads:
            raise ValueError(
                f"DiTBackbone.num_heads (model.backbone.num_heads): must divide width; expected "
                f"a divisor of {width}, got {num_heads}."
            )
        if image_size % patch_size:
            raise ValueError(
                f"DiTBackbone.patch_size (model.backbone.patch_size): must divide image_size; "
                f"expected a divisor of {image_size}, got {patch_size}."
            )
        out_channels = in_channels if out_channels is None else out_channels
        check_int("DiTBackbone.out_channels (model.backbone.out_channels)", out_channels, 1)
        self.in_channels, self.out_channels, self.image_size = in_channels, out_channels, image_size
        self.patch_size = patch_size
        self.grid = image_size // patch_size
        self.patch_embed = nn.Conv2d(in_channels, width, patch_size, stride=patch_size)
        self.register_buffer(
            "pos_embed", sincos_2d_embedding(self.grid, self.grid, width)[None], persistent=False
        )
        self.time_embed = TimeEmbedding(width)
        self.blocks = nn.ModuleList(DiTBlock(width, num_heads, mlp_ratio) for _ in range(depth))
        self.final_norm = nn.LayerNorm(width, elementwise_affine=False, eps=1e-6)
        self.final_ada_ln = nn.Sequential(nn.SiLU(), nn.Linear(width, 2 * width))
        self.final_proj = nn.Linear(width, patch_size * patch_size * out_channels)
        # zero output layer: the untrained model predicts v = 0
        for layer in (self.final_ada_ln[-1], self.final_proj):
            nn.init.zeros_(layer.weight)
            nn.init.zeros_(layer.bias)

    def forward(self, xt: Tensor, t: Tensor, cond: Tensor | None = None) -> Tensor:
        """The prediction (velocity, eps, ... as the generator trains it) at (xt, t).

        Args:
            xt (Tensor): state on the path, shape (B, C, H, W).
            t (Tensor): time in [0, 1], shape (B,); t=1 is data.
            cond (Tensor | None): condition embedding, shape (B, D), added to the time
                embedding (adaLN conditioning, as DiT does with class labels).

        Returns:
            Tensor: prediction, shape (B, out_channels, H, W).
        """
        x = rearrange(self.patch_embed(xt), "b d h w -> b (h w) d") + self.pos_embed  # (B, L, D)
        c = self.time_embed(t)  # (B, D)
        if cond is not None:
            c = c + cond
        for block in self.blocks:
            x = block(x, c)
        shift, scale = self.final_ada_ln(c).chunk(2, dim=-1)
        x = self.final_proj(modulate(self.final_norm(x), shift, scale))  # (B, L, p*p*C)
        p = self.patch_size
        return rearrange(x, "b (h w) (p q c) -> b c (h p) (w q)", h=self.grid, p=p, q=p)
