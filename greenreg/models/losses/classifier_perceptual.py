"""An LPIPS-style perceptual distance on the shipped classifier's layers (no download)."""

from __future__ import annotations

from torch import Tensor, nn

from greenreg.registry import MODELS


def unit_channels(x: Tensor) -> Tensor:
    """Each position's channel vector scaled to unit length (LPIPS's normalisation)."""
    return x / (x.pow(2).sum(1, keepdim=True).sqrt() + 1e-10)


@MODELS.register_module()
class ClassifierPerceptualLoss(nn.Module):
    """LPIPS's recipe (Zhang et al. 2018, Eq. 1) on a frozen repo classifier, uniform weights.

    Both images go through the classifier's three conv blocks; at every block the channel
    vector of each position is scaled to unit length, the squared difference summed over
    channels and averaged over positions, and the blocks summed. LPIPS learns per-channel
    weights on VGG/AlexNet features, whose weights need a download; this is its
    unweighted ("baseline") form on a network greenreg ships, the embedded default where
    no local LPIPS weights exist (``LPIPSLoss`` takes them).

    Args:
        classifier (str): ``"style"`` or ``"digit"`` (see ClassifierFeatureNetwork).
        weights (str | None): local classifier weights; None = the shipped file.

    Example:
        ``loss=dict(type='ClassifierPerceptualLoss')`` on ``['one_step', 'x1']``
    """

    def __init__(self, classifier: str = "style", weights: str | None = None) -> None:
        super().__init__()
        from greenreg.models.feature_networks.classifier import ClassifierFeatureNetwork

        self.features = ClassifierFeatureNetwork(classifier, weights)

    def forward(self, x: Tensor, y: Tensor) -> Tensor:
        """Images x, y (B, C, H, W) in [-1, 1] -> per-sample distance (B,), >= 0."""
        total = 0
        for fx, fy in zip(self.features.stages(x), self.features.stages(y)):
            diff = (unit_channels(fx) - unit_channels(fy)).pow(2).sum(1)  # (B, h, w)
            total = total + diff.flatten(1).mean(1)
        return total
