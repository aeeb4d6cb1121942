import math

import torch

from greenreg.registry import MODELS


def build():
    return MODELS.build(dict(type="LogCoshLoss"))


def test_matches_log_cosh_for_moderate_residuals():
    g = torch.Generator().manual_seed(0)
    v_pred, v_target = 3 * torch.randn(4, 2, 8, generator=g), torch.randn(4, 2, 8, generator=g)
    d = (v_pred - v_target).double()
    expected = torch.log(torch.cosh(d)).flatten(1).mean(1)
    torch.testing.assert_close(build()(v_pred, v_target), expected.float())


def test_is_finite_and_linear_for_huge_residuals():
    v_pred = torch.tensor([[1000.0, -1000.0]], requires_grad=True)
    loss = build()(v_pred, torch.zeros(1, 2))
    torch.testing.assert_close(loss, torch.tensor([1000.0 - math.log(2)]))
    loss.sum().backward()  # torch.where must not leak nan from the unused branch
    torch.testing.assert_close(v_pred.grad, torch.tensor([[0.5, -0.5]]))


def test_is_quadratic_for_small_residuals():
    for delta in (1e-2, 1e-4):
        v_pred = torch.full((1, 4), delta)
        expected = torch.tensor([delta**2 / 2])
        torch.testing.assert_close(build()(v_pred, 0 * v_pred), expected, rtol=1e-3, atol=0)


def test_gradient_is_tanh_and_finite_at_zero():
    v_pred = torch.tensor([[0.0, 0.5, 0.999, 1.0, 1.001, 3.0]], requires_grad=True)
    build()(v_pred, torch.zeros(1, 6)).sum().backward()
    torch.testing.assert_close(v_pred.grad, torch.tanh(v_pred.detach()) / 6)


def test_is_per_sample_in_float32():
    x = torch.ones(3, 2, 4, 4, dtype=torch.bfloat16)
    loss = build()(x, 0 * x)
    assert loss.shape == (3,) and loss.dtype == torch.float32
