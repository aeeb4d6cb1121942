import math

import pytest
import torch

from greenreg.registry import TIME_SAMPLERS


def draw(cfg, n=20000, iteration=0, seed=0):
    sampler = TIME_SAMPLERS.build(cfg)
    return sampler(n, iteration, generator=torch.Generator().manual_seed(seed))


def test_uniform_quantiles_match_its_cdf_on_a_truncated_range():
    t = draw(dict(type="UniformTimeSampler", low=0.8, high=1.0))
    assert t.min() >= 0.8 and t.max() <= 1.0
    for q in (0.1, 0.5, 0.9):
        assert abs(torch.quantile(t, q).item() - (0.8 + 0.2 * q)) < 0.01


def test_logsnr_uniform_quantiles_match_the_sigmoid_cdf():
    t = draw(dict(type="LogSNRUniformTimeSampler", min_log_snr=-2.0, max_log_snr=6.0))
    for q in (0.1, 0.5, 0.9):
        expected = 1 / (1 + math.exp(-(-2.0 + 8.0 * q) / 2))  # t = sigmoid(log_snr / 2)
        assert abs(torch.quantile(t, q).item() - expected) < 0.01
    log_snr = 2 * torch.log(t / (1 - t))
    assert log_snr.min() >= -2.0 - 1e-4 and log_snr.max() <= 6.0 + 1e-4


@pytest.mark.parametrize("path", [dict(type="VPCosinePath"), dict(type="DDPMDiscretePath")])
def test_logsnr_uniform_maps_through_any_paths_schedule(path):
    from greenreg.registry import PATHS

    t = draw(dict(type="LogSNRUniformTimeSampler", min_log_snr=-4.0, max_log_snr=4.0, path=path))
    log_snr = PATHS.build(path).log_snr(t.double())
    assert log_snr.min() >= -4.0 - 1e-3 and log_snr.max() <= 4.0 + 1e-3
    for q in (0.1, 0.5, 0.9):  # uniform in log SNR whatever the schedule
        assert abs(torch.quantile(log_snr, q).item() - (-4.0 + 8.0 * q)) < 0.1


def test_logit_normal_quantiles_match_its_cdf():
    t = draw(dict(type="LogitNormalTimeSampler", mean=0.5, std=0.8))
    normal = torch.distributions.Normal(0.0, 1.0)
    for q in (0.1, 0.5, 0.9):
        expected = torch.sigmoid(0.5 + 0.8 * normal.icdf(torch.tensor(q))).item()
        assert abs(torch.quantile(t, q).item() - expected) < 0.01


def test_curriculum_mixes_in_the_early_sampler_only_before_until_iter():
    cfg = dict(
        type="CurriculumTimeSampler",
        base=dict(type="UniformTimeSampler", low=0.0, high=0.5),
        early=dict(type="UniformTimeSampler", low=0.8, high=1.0),
        until_iter=100,
        early_fraction=0.25,
    )
    early = draw(cfg, iteration=10)
    assert abs((early >= 0.8).float().mean().item() - 0.25) < 0.02
    late = draw(cfg, iteration=100)
    assert (late <= 0.5).all()


@pytest.mark.parametrize(
    "cfg, match",
    [
        (dict(type="UniformTimeSampler", low=0.5, high=0.5), "low"),
        (dict(type="LogSNRUniformTimeSampler", min_log_snr=3.0, max_log_snr=1.0), "min"),
        (dict(type="LogitNormalTimeSampler", std=0.0), "std"),
        (
            dict(
                type="CurriculumTimeSampler",
                base=dict(type="UniformTimeSampler"),
                early=dict(type="UniformTimeSampler"),
                until_iter=10,
                early_fraction=1.5,
            ),
            "early_fraction",
        ),
    ],
)
def test_bad_arguments_name_the_argument(cfg, match):
    with pytest.raises(ValueError, match=match):
        TIME_SAMPLERS.build(cfg)
