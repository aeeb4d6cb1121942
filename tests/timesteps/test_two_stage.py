import pytest
import torch

from greenreg.registry import TIME_SAMPLERS


def draw(cfg, iteration, n=20000, seed=0):
    sampler = TIME_SAMPLERS.build(cfg)
    return sampler(n, iteration, generator=torch.Generator().manual_seed(seed))


CFG = dict(type="TwoStageTimeSampler", first_stage_iters=100, first_stage_range=[0.7, 1.0])


@pytest.mark.parametrize("iteration", [0, 99])
def test_first_stage_is_uniform_on_its_range(iteration):
    t = draw(CFG, iteration)
    assert t.min() >= 0.7 and t.max() <= 1.0
    for q in (0.1, 0.5, 0.9):
        assert abs(torch.quantile(t, q).item() - (0.7 + 0.3 * q)) < 0.01


@pytest.mark.parametrize("iteration", [100, 10**6])
def test_second_stage_is_uniform_on_the_whole_path(iteration):
    t = draw(CFG, iteration)
    assert t.min() < 0.01 and t.max() > 0.99
    for q in (0.1, 0.5, 0.9):
        assert abs(torch.quantile(t, q).item() - q) < 0.01


def test_zero_first_stage_iters_skips_the_first_stage():
    t = draw(dict(type="TwoStageTimeSampler", first_stage_iters=0), iteration=0)
    assert t.min() < 0.01


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(first_stage_iters=-1), "first_stage_iters"),
        (dict(first_stage_iters=1.5), "first_stage_iters"),
        (dict(first_stage_iters=10, first_stage_range=(0.8, 0.7)), "first_stage_range"),
        (dict(first_stage_iters=10, first_stage_range=(0.5, 0.5)), "first_stage_range"),
        (dict(first_stage_iters=10, first_stage_range=(-0.1, 0.5)), "first_stage_range"),
        (dict(first_stage_iters=10, first_stage_range=(0.5, 1.5)), "first_stage_range"),
        (dict(first_stage_iters=10, first_stage_range=(0.1, 0.5, 0.9)), "first_stage_range"),
    ],
)
def test_bad_arguments_name_the_argument(kwargs, match):
    with pytest.raises(ValueError, match=match):
        TIME_SAMPLERS.build(dict(type="TwoStageTimeSampler", **kwargs))


def test_second_stage_follows_the_then_sampler_with_the_same_uniforms():
    then = dict(type="LogitStudentTTimeSampler", loc=0.0, scale=1.0, df=3.0)
    staged = draw(dict(CFG, then=then), iteration=100)
    direct = draw(then, iteration=100)
    torch.testing.assert_close(staged, direct)
    assert draw(dict(CFG, then=then), iteration=0).min() >= 0.7  # first stage unchanged
