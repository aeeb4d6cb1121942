"""Networks and the generators that compose them (all registered in MODELS)."""

from greenreg.models import (
    autoencoders,
    averaging,
    backbones,
    conditioners,
    encoders,
    feature_networks,
    generators,
    loss_terms,
    losses,
    memory,
    sources,
    weightings,
)

__all__ = [
    "autoencoders",
    "averaging",
    "backbones",
    "conditioners",
    "encoders",
    "feature_networks",
    "generators",
    "loss_terms",
    "losses",
    "memory",
    "sources",
    "weightings",
]
