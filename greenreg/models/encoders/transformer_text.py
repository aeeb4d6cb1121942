"""A small Transformer encoder for caption tokens."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

from greenreg.models.layers import cpu_autocast_off, sinusoidal_embedding
from greenreg.registry import MODELS
from greenreg.utils import check_in_range, check_int


@dataclass
class TextEncoding:
    """Encoded caption tokens.

    Attributes:
        tokens (Tensor): per-token features, shape (B, L, D).
        mask (Tensor): True at real (non-padding) tokens, shape (B, L), bool.
    """

    tokens: Tensor
    mask: Tensor

    def pooled(self) -> Tensor:
        """Mean of the real tokens' features, shape (B, D)."""
        weights = self.mask.to(self.tokens.dtype)[..., None]  # (B, L, 1)
        return (self.tokens * weights).sum(1) / weights.sum(1).clamp_min(1.0)


@MODELS.register_module()
class TransformerTextEncoder(nn.Module):
    """Token embedding + sinusoidal positions + pre-norm Transformer encoder layers.

    Args:
        vocab_size (int): number of token ids (id 0 is padding).
        width (int): feature width D.
        depth (int): encoder layers.
        num_heads (int): attention heads.

    Example:
        ``dict(type='TransformerTextEncoder', vocab_size=32, width=64, depth=2)``
    """

    def __init__(
        self, vocab_size: int, width: int = 64, depth: int = 2, num_heads: int = 4
    ) -> None:
        super().__init__()
        for name, value in (("width", width), ("depth", depth), ("num_heads", num_heads)):
            check_int(f"TransformerTextEncoder.{name} (model.text_encoder.{name})", value, 1)
        if width % num_heads:
            raise ValueError(
                f"TransformerTextEncoder.num_heads (model.text_encoder.num_heads): must divide "
                f"width; expected a divisor of {width}, got {num_heads}."
            )
        self.width = width
        self.embed = nn.Embedding(vocab_size, width, padding_idx=0)
        layer = nn.TransformerEncoderLayer(
            width, num_heads, 4 * width, dropout=0.0, batch_first=True, norm_first=True
        )
        self.encoder = nn.TransformerEncoder(layer, depth, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(width)

    def forward(self, tokens: Tensor) -> TextEncoding:
        """Encodes token ids of shape (B, L) into a :class:`TextEncoding`."""
        # a vocab_size smaller than the tokenizer's shows up here, not as an index error
        check_in_range(
            "TransformerTextEncoder (model.text_encoder.vocab_size)",
            "token ids",
            tokens,
            0,
            self.embed.num_embeddings - 1,
        )
        mask = tokens != 0
        positions = torch.arange(tokens.shape[1], device=tokens.device)
        x = self.embed(tokens) + sinusoidal_embedding(positions, self.width)[None]  # (B, L, D)
        # an all-padding row would make attention NaN: let such rows see their first token
        key_padding = ~mask
        key_padding[:, 0] = False
        with cpu_autocast_off(x):  # CPU bf16 attention backward is slow: fp32 here
            x = self.norm(self.encoder(x.float(), src_key_padding_mask=key_padding))
        return TextEncoding(tokens=x, mask=mask)
