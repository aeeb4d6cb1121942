"""A small CNN that judges generated digits: class accuracy and a feature space for FD."""

from __future__ import annotations

import os

import torch
import torch.nn.functional as F
from torch import Tensor, nn

DEFAULT_CLASSIFIER_PATH = os.path.join(
    os.path.dirname(__file__), "assets", "digit_classifier_mnist32.pth"
)


class DigitClassifier(nn.Module):
    """Three conv blocks -> 128-d features -> class logits, for (B, 1, 32, 32) images in [-1, 1].

    Trained by ``tools/train_digit_classifier.py`` on the ``train`` split; its scores are
    measured on the ``heldout`` split, which neither it nor the generators see. The same
    network with 6 classes judges styles (:mod:`greenreg.evaluation.style_classifier`).

    Args:
        num_classes (int): logits of the head: 10 digits (the shipped weights) or 6 styles.
    """

    feature_dim = 128

    def __init__(self, num_classes: int = 10) -> None:
        super().__init__()
        if num_classes < 2:
            raise ValueError(
                f"DigitClassifier.num_classes: too few classes; expected an int >= 2, "
                f"got {num_classes}."
            )

        def block(c_in: int, c_out: int) -> nn.Module:
            return nn.Sequential(
                nn.Conv2d(c_in, c_out, 3, padding=1),
                nn.GroupNorm(8, c_out),
                nn.ReLU(),
                nn.Conv2d(c_out, c_out, 3, padding=1),
                nn.GroupNorm(8, c_out),
                nn.ReLU(),
                nn.MaxPool2d(2),
            )

        self.trunk = nn.Sequential(block(1, 32), block(32, 64), block(64, 128))  # -> 4x4
        self.embed = nn.Sequential(nn.Flatten(), nn.Dropout(0.3), nn.Linear(128 * 16, 128))
        self.head = nn.Linear(128, num_classes)

    def features(self, images: Tensor) -> Tensor:
        """Penultimate features, shape (B, 128); images of another size are resized to 32."""
        if images.shape[-1] != 32:
            images = F.interpolate(images, size=(32, 32), mode="bilinear", antialias=True)
        return F.relu(self.embed(self.trunk(images)))

    def forward(self, images: Tensor) -> Tensor:
        """Class logits, shape (B, num_classes)."""
        return self.head(self.features(images))


def load_digit_classifier(
    path: str | None = None, device: str | torch.device = "cpu"
) -> DigitClassifier:
    """The trained classifier in eval mode.

    Raises:
        FileNotFoundError: no weights at ``path`` (default: the file shipped with greenreg).
    """
    path = path or DEFAULT_CLASSIFIER_PATH
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"digit classifier weights {path!r}: no such file; expected the output of "
            f"`python tools/train_digit_classifier.py --out {path}`."
        )
    model = DigitClassifier()
    model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
    return model.to(device).eval()
