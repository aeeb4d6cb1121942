import math

import pytest
import torch

from greenreg.registry import MODELS


def build(**kwargs):
    return MODELS.build(dict(type="PseudoHuberLoss", **kwargs))


def test_matches_the_closed_form_per_element_and_per_sample():
    loss = build(c=0.5)
    # 5-12-13 triangle: sqrt(1.2^2 + 0.5^2) - 0.5 = 1.3 - 0.5
    v_target = torch.zeros(2, 1, 2, 2)
    v_pred = torch.tensor([1.2, 0.0]).view(2, 1, 1, 1).expand(2, 1, 2, 2)
    torch.testing.assert_close(loss(v_pred, v_target), torch.tensor([0.8, 0.0]))
    mixed = torch.tensor([[1.2, -1.2, 0.0, 0.0]])  # mean over elements: (0.8 + 0.8) / 4
    torch.testing.assert_close(loss(mixed, torch.zeros(1, 4)), torch.tensor([0.4]))


def test_is_quadratic_for_small_and_linear_for_large_residuals():
    loss = build(c=1.0)
    small = torch.full((1, 8), 1e-3)
    torch.testing.assert_close(
        loss(small, torch.zeros(1, 8)), torch.tensor([0.5e-6]), rtol=1e-3, atol=0
    )
    loss = build(c=1e-3)
    large = torch.full((1, 8), -10.0)
    torch.testing.assert_close(
        loss(large, torch.zeros(1, 8)), torch.tensor([10.0 - 1e-3]), rtol=1e-6, atol=0
    )


def test_paper_default_is_the_whole_sample_loss_scaled_by_one_over_sqrt_d():
    g = torch.Generator().manual_seed(0)
    v_pred, v_target = torch.randn(3, 3, 4, 4, generator=g), torch.randn(3, 3, 4, 4, generator=g)
    d = 3 * 4 * 4
    c_d = 0.00054 * math.sqrt(d)  # Song & Dhariwal 2023, Sec. 3.3
    norm = (v_pred - v_target).double().flatten(1).norm(dim=1)
    expected = ((norm**2 + c_d**2).sqrt() - c_d) / math.sqrt(d)
    torch.testing.assert_close(build(c=None)(v_pred, v_target), expected.float())
    # equal |delta| everywhere: the whole-sample form equals the per-element one with c=0.00054
    same = torch.full((2, d), 0.01)
    torch.testing.assert_close(build(c=None)(same, 0 * same), build()(same, 0 * same))


@pytest.mark.parametrize("c", [0.5, None])
def test_gradient_is_finite_and_zero_at_zero_residual(c):
    v_pred = torch.zeros(2, 5, requires_grad=True)
    build(c=c)(v_pred, torch.zeros(2, 5)).sum().backward()
    torch.testing.assert_close(v_pred.grad, torch.zeros(2, 5))


def test_computes_in_float32():
    x = torch.ones(2, 4, dtype=torch.bfloat16)
    assert build()(x, 0 * x).dtype == torch.float32


@pytest.mark.parametrize("c", [0.0, -0.1])
def test_rejects_a_non_positive_c(c):
    with pytest.raises(ValueError, match=r"PseudoHuberLoss\.c"):
        build(c=c)
