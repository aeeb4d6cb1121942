"""Condition encoders: turn caption tokens into features."""

from greenreg.models.encoders.transformer_text import TextEncoding, TransformerTextEncoder

__all__ = ["TextEncoding", "TransformerTextEncoder"]
