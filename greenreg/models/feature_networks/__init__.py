"""Frozen feature networks that training components read (couplings, feature losses)."""

from greenreg.models.feature_networks.base import FrozenFeatureNetwork
from greenreg.models.feature_networks.classifier import ClassifierFeatureNetwork
from greenreg.models.feature_networks.dinov2 import DINOv2FeatureNetwork

__all__ = ["ClassifierFeatureNetwork", "DINOv2FeatureNetwork", "FrozenFeatureNetwork"]
