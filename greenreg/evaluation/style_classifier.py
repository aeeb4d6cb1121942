"""The digit classifier's network trained to tell the six styles apart: style FD's features."""

from __future__ import annotations

import os

import torch

from greenreg.datasets.digit_styles import STYLES
from greenreg.evaluation.digit_classifier import DigitClassifier

DEFAULT_STYLE_CLASSIFIER_PATH = os.path.join(
    os.path.dirname(__file__), "assets", "style_classifier_mnist32.pth"
)


def load_style_classifier(
    path: str | None = None, device: str | torch.device = "cpu"
) -> DigitClassifier:
    """The trained style classifier (logits over :data:`STYLES`), in eval mode.

    A :class:`DigitClassifier` with ``len(STYLES)`` classes, trained by
    ``tools/train_style_classifier.py`` on the StyledDigitsDataset ``train`` split; its
    ``features`` (B, 128) are the space of style FD / KID.

    Args:
        path (str | None): state dict file; None = the file shipped with greenreg.
        device (str | torch.device): where the network is placed.

    Returns:
        DigitClassifier: with ``num_classes = len(STYLES)``.

    Raises:
        FileNotFoundError: no weights at ``path``.
    """
    path = path or DEFAULT_STYLE_CLASSIFIER_PATH
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"style classifier weights {path!r}: no such file; expected the output of "
            f"`python tools/train_style_classifier.py --out {path}`."
        )
    model = DigitClassifier(num_classes=len(STYLES))
    model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
    return model.to(device).eval()
