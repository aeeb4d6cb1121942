"""VelocityLossWeighting: any target's weighted error is the velocity's squared error."""

import pytest
import torch

from greenreg.paths.base import PathCoefficients
from greenreg.registry import LOSS_WEIGHTINGS, PATHS, TARGETS
from greenreg.targets.base import Denoised

T = torch.tensor([0.0, 0.1, 0.4, 0.7, 0.9, 0.97], dtype=torch.float64)


def build(max_weight: float = 1e6):
    return LOSS_WEIGHTINGS.build(dict(type="VelocityLossWeighting", max_weight=max_weight))


def test_data_target_on_the_linear_path_weighs_one_over_one_minus_t_squared():
    c = PATHS.build(dict(type="LinearPath")).coefficients(T)
    w = build()(c, TARGETS.build(dict(type="DataTarget"))).double()
    torch.testing.assert_close(w, 1 / (1 - T) ** 2, rtol=1e-5, atol=0)


@pytest.mark.parametrize("path", ["LinearPath", "VPCosinePath"])
@pytest.mark.parametrize("target", ["DataTarget", "EpsilonTarget", "VTarget"])
def test_weighted_error_equals_the_velocity_error(path, target):
    g = torch.Generator().manual_seed(0)
    t = torch.tensor([0.2, 0.5, 0.8], dtype=torch.float64)
    p = PATHS.build(dict(type=path))
    c = p.coefficients(t)
    x1, x0 = torch.randn(3, 4, generator=g, dtype=torch.float64), torch.randn(3, 4, generator=g)
    xt = c.alpha[:, None] * x1 + c.sigma[:, None] * x0.double()
    x1_hat = x1 + 0.1 * torch.randn(3, 4, generator=g, dtype=torch.float64)
    # the same wrong x1 estimate, expressed as each target and as a velocity
    eps_hat = (xt - c.alpha[:, None] * x1_hat) / c.sigma[:, None]
    col = PathCoefficients(*(v[:, None] for v in (c.alpha, c.sigma, c.d_alpha, c.d_sigma)))
    tgt, vel = TARGETS.build(dict(type=target)), TARGETS.build(dict(type="VelocityTarget"))

    def err(k):
        wrong = k.from_denoised(Denoised(x1=x1_hat, eps=eps_hat), col)
        return (wrong - k.from_denoised(Denoised(x1=x1, eps=x0.double()), col)).pow(2).sum(1)

    w = build()(c, tgt).double()
    torch.testing.assert_close(w * err(tgt), err(vel), rtol=1e-4, atol=1e-10)


def test_weight_is_capped_at_the_data_end():
    c = PATHS.build(dict(type="LinearPath")).coefficients(torch.tensor([1.0, 0.999]))
    w = build(400.0)(c, TARGETS.build(dict(type="DataTarget")))
    assert torch.isfinite(w).all() and float(w.max()) == 400.0


def test_max_weight_must_be_positive():
    with pytest.raises(ValueError, match="max_weight"):
        build(0.0)
