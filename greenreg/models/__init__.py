"""Networks and the generators that compose them (all registered in MODELS)."""

from greenreg.models import (
    averaging,
    backbones,
    conditioners,
    encoders,
    generators,
    losses,
    weightings,
)

__all__ = [
    "averaging",
    "backbones",
    "conditioners",
    "encoders",
    "generators",
    "losses",
    "weightings",
]
