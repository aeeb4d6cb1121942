"""The shipped style classifier reads styles of digits it never saw; digit weights still load."""

import pytest
import torch

from greenreg.datasets.digit_styles import STYLES
from greenreg.datasets.styled_digits import StyledDigitsDataset
from greenreg.evaluation import DigitClassifier, load_digit_classifier, load_style_classifier


def test_the_shipped_style_classifier_names_held_out_styles():
    heldout = StyledDigitsDataset("mnist", "heldout", num_digits=20)  # 120 renderings
    images = heldout.styled.flatten(0, 1)  # (120, 1, 32, 32), digit-major
    labels = heldout.style_labels.repeat(20)
    classifier = load_style_classifier()
    assert classifier.head.out_features == len(STYLES)
    with torch.no_grad():
        accuracy = (classifier(images).argmax(1) == labels).float().mean().item()
    assert accuracy >= 0.95  # 99.55% over all 6,000 held-out renderings


def test_the_digit_classifier_keeps_ten_classes_and_its_shipped_weights():
    assert load_digit_classifier().head.out_features == 10
    assert DigitClassifier(num_classes=6).features(torch.zeros(2, 1, 32, 32)).shape == (2, 128)
    with pytest.raises(ValueError, match=r"DigitClassifier\.num_classes.*got 1"):
        DigitClassifier(num_classes=1)
