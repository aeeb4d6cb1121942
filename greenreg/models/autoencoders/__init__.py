"""Autoencoders a flow can run inside: frozen, with their latent scale measured once."""

from greenreg.models.autoencoders.base import BaseAutoencoder
from greenreg.models.autoencoders.conv_vae import ConvVAE, GaussianMoments
from greenreg.models.autoencoders.frozen import FrozenAutoencoder
from greenreg.models.autoencoders.space_to_depth import SpaceToDepthAutoencoder

__all__ = [
    "BaseAutoencoder",
    "ConvVAE",
    "FrozenAutoencoder",
    "GaussianMoments",
    "SpaceToDepthAutoencoder",
]
