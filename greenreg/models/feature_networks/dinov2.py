"""DINOv2 read from local weights as a frozen feature network (seed 003's ViT-S/14)."""

from __future__ import annotations

import torch
from torch import Tensor

from greenreg.evaluation.feature_extractors import DINOv2FeatureExtractor
from greenreg.models.feature_networks.base import FrozenFeatureNetwork
from greenreg.registry import MODELS


@MODELS.register_module()
class DINOv2FeatureNetwork(FrozenFeatureNetwork):
    """DINOv2 class-token features (B, 384 for ViT-S/14), from a local path only.

    The network is built exactly as the evaluation's ``DINOv2FeatureExtractor`` builds it
    (a local hub folder, or a state dict for ``arch``), resized to 224 and normalised with
    ImageNet statistics; nothing is downloaded.

    Args:
        weights (str): a local DINOv2 hub folder or state dict file.
        arch (str): the architecture, ``dinov2_<arch>``: ``"vits14"`` (384-d), ``"vitb14"``.

    Raises:
        FileNotFoundError: nothing at ``weights``.

    Example:
        ``feature_network=dict(type='DINOv2FeatureNetwork', weights='data/dinov2_vits14.pth')``
    """

    def __init__(self, weights: str, arch: str = "vits14") -> None:
        super().__init__()
        self._extractor = DINOv2FeatureExtractor(weights, arch=arch)
        self.network = self._extractor.network
        self.feature_dim = int(self._extractor.feature_dim or 384)
        self.freeze()

    def forward(self, images: Tensor) -> Tensor:
        """Features (B, D) of images (B, 1 or 3, H, W) in [-1, 1]."""
        with torch.autocast(images.device.type, enabled=False):  # ViT features in fp32
            return self._extractor.extract(images.float())
