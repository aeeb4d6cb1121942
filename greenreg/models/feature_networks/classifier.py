"""The repo's shipped digit or style classifier as a frozen feature network (no download)."""

from __future__ import annotations

from torch import Tensor

from greenreg.evaluation.digit_classifier import load_digit_classifier
from greenreg.evaluation.style_classifier import load_style_classifier
from greenreg.models.feature_networks.base import FrozenFeatureNetwork
from greenreg.registry import MODELS

LOADERS = dict(digit=load_digit_classifier, style=load_style_classifier)


def grey(images: Tensor) -> Tensor:
    """Images (B, 1 or 3, H, W) as float32 single-channel (RGB averaged)."""
    return (images.mean(1, keepdim=True) if images.shape[1] == 3 else images).float()


@MODELS.register_module()
class ClassifierFeatureNetwork(FrozenFeatureNetwork):
    """Penultimate features (B, 128) of a shipped classifier, the embedded default.

    ``style`` (default) is the classifier trained to tell the six rendered styles of the
    MNIST-5k ``train`` digits apart: it sees stroke width, outline, slant and texture,
    which is what a feature loss on generated digits should reward. ``digit`` is the
    10-class digit classifier; it is also what ``DigitSampleMetric`` scores FD with, so a
    generator trained on its features is graded by the judge it was trained against:
    keep it for comparisons, not for results. RGB images are averaged to grey (the
    classifiers are single-channel): a weak feature space for colour data, where
    :class:`DINOv2FeatureNetwork` is the one to use.

    Args:
        classifier (str): ``"style"`` or ``"digit"``.
        weights (str | None): local weights; None = the file shipped with greenreg.

    Raises:
        ValueError: an unknown classifier name.
        FileNotFoundError: no weights file.

    Example:
        ``feature_network=dict(type='ClassifierFeatureNetwork', classifier='style')``
    """

    feature_dim = 128

    def __init__(self, classifier: str = "style", weights: str | None = None) -> None:
        super().__init__()
        if classifier not in LOADERS:
            raise ValueError(
                f"ClassifierFeatureNetwork.classifier (model.feature_network.classifier): "
                f"unknown classifier; expected one of {sorted(LOADERS)}, got {classifier!r}."
            )
        self.network = LOADERS[classifier](weights)
        self.freeze()

    def forward(self, images: Tensor) -> Tensor:
        """Features (B, 128) of images (B, 1 or 3, H, W) in [-1, 1]."""
        return self.network.features(grey(images))

    def stages(self, images: Tensor) -> list[Tensor]:
        """The trunk's three block outputs, (B, 32/64/128, H/2, H/4, H/8): for perceptual losses."""
        x, out = grey(images), []
        for block in self.network.trunk:
            x = block(x)
            out.append(x)
        return out
