"""Seed 003's feature, structure and perceptual losses against closed forms and invariants."""

import math

import pytest
import torch

from greenreg.datasets import CaptionedDigitsDataset
from greenreg.registry import MODELS


def test_cosine_distance_closed_forms():
    loss = MODELS.build(dict(type="CosineDistanceLoss"))
    a = torch.tensor([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0], [1.0, 1.0]])
    b = torch.tensor([[3.0, 0.0], [0.0, 2.0], [-1.0, 0.0], [0.0, 1.0]])
    torch.testing.assert_close(loss(a, b), torch.tensor([0.0, 1.0, 2.0, 1 - 1 / math.sqrt(2)]))


def test_distance_matrix_loss_sees_geometry_not_scale_or_rotation():
    loss = MODELS.build(dict(type="DistanceMatrixLoss"))
    g = torch.Generator().manual_seed(0)
    a = torch.randn(16, 5, generator=g)
    rotation, _ = torch.linalg.qr(torch.randn(5, 5, generator=g))
    isometric = 3.0 * a @ rotation + 1.0  # rotated, scaled, shifted: same geometry
    assert loss(a, isometric).max() < 1e-8
    shuffled = isometric[torch.randperm(16, generator=g)]  # row i now targets another point
    assert loss(a, shuffled).mean() > 0.1
    with pytest.raises(ValueError, match="one size"):
        loss(a, a[:8])


def test_classifier_perceptual_loss_orders_distortions():
    loss = MODELS.build(dict(type="ClassifierPerceptualLoss"))
    data = CaptionedDigitsDataset("mnist", "heldout", 32)
    x = data.images[:20]
    other = data.images[20:40]  # other digits
    noise = 0.1 * torch.randn(x.shape, generator=torch.Generator().manual_seed(0))
    same, noisy, different = loss(x, x), loss(x, (x + noise).clamp(-1, 1)), loss(x, other)
    assert same.abs().max() < 1e-6
    torch.testing.assert_close(loss(x, other), loss(other, x))  # symmetric
    assert (noisy < different).float().mean() > 0.9
    assert not any(p.requires_grad for p in loss.parameters())
