"""Networks and the generators that compose them (all registered in MODELS)."""

from greenreg.models import backbones, conditioners, encoders, generators, losses

__all__ = ["backbones", "conditioners", "encoders", "generators", "losses"]
