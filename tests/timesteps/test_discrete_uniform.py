import pytest
import torch

from greenreg.registry import TIME_SAMPLERS


def test_draws_every_grid_point_with_uniform_frequency():
    n_steps, n = 10, 100000
    sampler = TIME_SAMPLERS.build(dict(type="DiscreteUniformTimeSampler", num_steps=n_steps))
    t = sampler(n, generator=torch.Generator().manual_seed(0))
    k = (1 - t) * n_steps - 1  # t = 1 - (k + 1) / N
    assert (k - k.round()).abs().max() < 1e-4
    counts = torch.bincount(k.round().long(), minlength=n_steps)
    assert counts.numel() == n_steps and (counts > 0).all()
    expected = n / n_steps
    chi2 = ((counts - expected) ** 2 / expected).sum().item()
    assert chi2 < 33.7  # chi-square, 9 dof: P(chi2 > 33.7) = 1e-4


def test_inverse_cdf_maps_the_ends_of_u_to_the_ends_of_the_grid():
    sampler = TIME_SAMPLERS.build(dict(type="DiscreteUniformTimeSampler", num_steps=1000))
    u = torch.tensor([0.0, 0.0009, 0.001, 1 - 2**-24])
    # k = 0 is the least-noisy DDPM step (t = 1 - 1/N); k = N - 1 is pure noise (t = 0)
    torch.testing.assert_close(sampler.transform(u), torch.tensor([0.999, 0.999, 0.998, 0.0]))


def test_a_single_step_is_pure_noise():
    sampler = TIME_SAMPLERS.build(dict(type="DiscreteUniformTimeSampler", num_steps=1))
    assert (sampler(16) == 0).all()


@pytest.mark.parametrize("num_steps, error", [(0, ValueError), (2.5, TypeError), (True, TypeError)])
def test_bad_num_steps_is_named(num_steps, error):
    with pytest.raises(error, match="num_steps"):
        TIME_SAMPLERS.build(dict(type="DiscreteUniformTimeSampler", num_steps=num_steps))
