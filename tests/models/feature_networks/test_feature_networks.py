"""Frozen feature networks: gradients reach the images, never the weights; local paths only."""

import pytest
import torch

from greenreg.datasets import CaptionedDigitsDataset
from greenreg.registry import MODELS


def test_classifier_features_are_frozen_but_differentiable_in_the_input():
    net = MODELS.build(dict(type="ClassifierFeatureNetwork", classifier="style"))
    net.train()  # mmengine calls this every epoch: the classifier must stay in eval mode
    assert not net.network.training
    assert not any(p.requires_grad for p in net.parameters())
    images = CaptionedDigitsDataset("mnist", "heldout", 32).images[:4].clone().requires_grad_()
    features = net(images)
    assert features.shape == (4, net.feature_dim)
    features.sum().backward()
    assert images.grad.abs().sum() > 0
    # dropout stays off: the same images give the same features
    torch.testing.assert_close(net(images.detach()), features.detach())
    # RGB is averaged to grey for the single-channel classifier
    torch.testing.assert_close(net(images.detach().expand(-1, 3, -1, -1)), features.detach())


def test_unknown_classifier_and_missing_weights_are_named(tmp_path):
    with pytest.raises(ValueError, match="classifier.*'colour'"):
        MODELS.build(dict(type="ClassifierFeatureNetwork", classifier="colour"))
    with pytest.raises(FileNotFoundError, match="nothing.pth"):
        MODELS.build(dict(type="ClassifierFeatureNetwork", weights=str(tmp_path / "nothing.pth")))
    with pytest.raises(FileNotFoundError, match="dinov2"):
        MODELS.build(dict(type="DINOv2FeatureNetwork", weights=str(tmp_path / "dinov2.pth")))
