import pytest
import torch

from greenreg.paths import PathSample
from greenreg.registry import PATHS


def test_interpolates_endpoints_and_its_velocity_is_the_time_derivative():
    path = PATHS.build(dict(type="LinearPath"))
    g = torch.Generator().manual_seed(0)
    x0, x1 = torch.randn(4, 1, 3, 3, generator=g), torch.randn(4, 1, 3, 3, generator=g)
    at0 = path.sample(x0, x1, torch.zeros(4))
    at1 = path.sample(x0, x1, torch.ones(4))
    torch.testing.assert_close(at0.xt, x0)
    torch.testing.assert_close(at1.xt, x1)
    t, h = torch.full((4,), 0.3), 1e-3
    finite_diff = (path.sample(x0, x1, t + h).xt - path.sample(x0, x1, t - h).xt) / (2 * h)
    out = path.sample(x0, x1, t)
    assert isinstance(out, PathSample)
    torch.testing.assert_close(out.v_target, finite_diff, atol=1e-3, rtol=1e-3)


def test_predict_x1_round_trips_from_any_time():
    path = PATHS.build(dict(type="LinearPath"))
    x0, x1 = torch.randn(5, 2), torch.randn(5, 2)
    t = torch.rand(5, generator=torch.Generator().manual_seed(1))
    s = path.sample(x0, x1, t)
    torch.testing.assert_close(path.predict_x1(s.xt, s.v_target, t), x1)


@pytest.mark.parametrize(
    "t, match", [(torch.tensor([0.5, 1.5]), "t must lie in"), (torch.rand(3), "shape")]
)
def test_rejects_times_outside_the_domain_or_of_the_wrong_shape(t, match):
    path = PATHS.build(dict(type="LinearPath"))
    with pytest.raises(ValueError, match=match):
        path.sample(torch.zeros(2, 1), torch.zeros(2, 1), t)
