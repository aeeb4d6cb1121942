import pytest
import torch
from scipy.stats import t as student_t

from greenreg.registry import TIME_SAMPLERS


def draw(cfg, n=20000, seed=0):
    sampler = TIME_SAMPLERS.build(cfg)
    return sampler(n, generator=torch.Generator().manual_seed(seed))


def test_quantiles_match_the_logit_student_t_cdf():
    t = draw(dict(type="LogitStudentTTimeSampler", loc=0.5, scale=0.8, df=3.0))
    assert t.dtype == torch.float32 and t.shape == (20000,)
    assert t.min() >= 0.0 and t.max() <= 1.0
    for q in (0.05, 0.25, 0.5, 0.75, 0.95):
        expected = torch.sigmoid(torch.tensor(0.5 + 0.8 * student_t.ppf(q, 3.0))).item()
        assert abs(torch.quantile(t, q).item() - expected) < 0.01


def test_puts_more_mass_near_both_ends_than_logit_normal():
    heavy = draw(dict(type="LogitStudentTTimeSampler", loc=0.0, scale=1.0, df=3.0), n=200000)
    light = draw(dict(type="LogitNormalTimeSampler", mean=0.0, std=1.0), n=200000)
    for mass in (lambda t: (t < 0.02).float().mean(), lambda t: (t > 0.98).float().mean()):
        # P = 0.015 for Student-t(3) vs 5e-5 for the normal at |logit t| > 3.89
        assert mass(heavy) > 0.01 and mass(heavy) > 20 * mass(light)


def test_large_df_recovers_logit_normal():
    u = torch.linspace(0.01, 0.99, 99)
    heavy = TIME_SAMPLERS.build(dict(type="LogitStudentTTimeSampler", df=1e7)).transform(u)
    light = TIME_SAMPLERS.build(dict(type="LogitNormalTimeSampler")).transform(u)
    torch.testing.assert_close(heavy, light, atol=1e-5, rtol=0)


def test_extreme_uniforms_stay_finite():
    sampler = TIME_SAMPLERS.build(dict(type="LogitStudentTTimeSampler", df=0.5))
    t = sampler.transform(torch.tensor([0.0, 1.0]))
    assert torch.isfinite(t).all() and t[0] <= 1e-3 and t[1] >= 1 - 1e-3


@pytest.mark.parametrize("kwargs, match", [(dict(scale=0.0), "scale"), (dict(df=-1.0), "df")])
def test_bad_arguments_name_the_argument(kwargs, match):
    with pytest.raises(ValueError, match=match):
        TIME_SAMPLERS.build(dict(type="LogitStudentTTimeSampler", **kwargs))
