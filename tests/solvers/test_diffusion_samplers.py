"""DDIM and DDPM ancestral sampling against the exact Gaussian denoiser."""

import pytest
import torch

from greenreg.registry import PATHS, SOLVERS, TIME_GRIDS
from greenreg.solvers import ModelFn
from greenreg.solvers.reference_problems import GaussianDenoiser
from greenreg.targets import DataTarget

PATHS_UNDER_TEST = [dict(type="DDPMDiscretePath"), dict(type="VPCosinePath")]
# sigma ~ sqrt(1 - t) near the DDPM path's data end makes it converge slowly: test it with
# all of its 1,000 steps, the cosine path with 200
FINE_STEPS = {"DDPMDiscretePath": 1000, "VPCosinePath": 200}


def seeded_noise(seed: int):
    g = torch.Generator().manual_seed(seed)
    return lambda like: torch.randn(like.shape, generator=g, dtype=like.dtype)


def denoiser_model(denoiser: GaussianDenoiser) -> ModelFn:
    """The exact denoiser as a network predicting x1 (DataTarget)."""
    return ModelFn(lambda x, t, cond: denoiser(x, t).x1, denoiser.path, DataTarget())


def uniform_grid(path, steps: int):
    return TIME_GRIDS.build(dict(type="UniformTimeGrid", num_steps=steps))(path)


@pytest.mark.parametrize("path_cfg", PATHS_UNDER_TEST, ids=lambda c: c["type"])
def test_ddim_eta0_converges_to_the_probability_flow_map(path_cfg):
    path = PATHS.build(path_cfg)
    denoiser = GaussianDenoiser(path)
    sigma0 = float(path.coefficients(torch.zeros(1, dtype=torch.float64)).sigma)
    x = sigma0 * torch.randn(256, 2, generator=torch.Generator().manual_seed(0)).double()
    exact = denoiser.exact_endpoint(x, 0.0)
    errors = []
    for steps in (10, 40, FINE_STEPS[path_cfg["type"]]):
        sampler = SOLVERS.build(dict(type="DDIMSampler", eta=0.0))
        out = sampler.solve(denoiser_model(denoiser), x, uniform_grid(path, steps))
        assert out.nfe == steps
        errors.append(float((out.x1 - exact).abs().max()))
    assert errors[0] > errors[1] > errors[2]
    assert errors[2] < 2e-2


@pytest.mark.parametrize("path_cfg", PATHS_UNDER_TEST, ids=lambda c: c["type"])
def test_ddpm_ancestral_samples_the_data_distribution(path_cfg):
    path = PATHS.build(path_cfg)
    sampler = SOLVERS.build(dict(type="DDPMAncestralSampler"))
    x = torch.randn(20000, 1, generator=torch.Generator().manual_seed(1)).double()
    model = denoiser_model(GaussianDenoiser(path))
    out = sampler.solve(model, x, uniform_grid(path, 1000), seeded_noise(2)).x1
    assert float(out.mean()) == pytest.approx(2.0, abs=0.02)
    # plugging in E[x1 | x_t] drops Var[x1 | x_t]: a small under-dispersion that vanishes
    # as the steps shrink (0.494 at 1,000 DDPM steps, 0.480 at 200)
    assert float(out.std()) == pytest.approx(0.5, abs=0.01)


def test_ddpm_ancestral_equals_ddim_with_eta_one():
    path = PATHS.build(PATHS_UNDER_TEST[0])
    x = torch.randn(64, 3, generator=torch.Generator().manual_seed(3)).double()
    model = denoiser_model(GaussianDenoiser(path, mean=-1.0, scale=0.3))
    grid = uniform_grid(path, 50)
    ddpm = SOLVERS.build(dict(type="DDPMAncestralSampler"))
    ddim = SOLVERS.build(dict(type="DDIMSampler", eta=1.0))
    a = ddpm.solve(model, x, grid, seeded_noise(4)).x1
    b = ddim.solve(model, x, grid, seeded_noise(4)).x1
    torch.testing.assert_close(a, b)


def test_clip_x1_keeps_estimates_in_range():
    path = PATHS.build(PATHS_UNDER_TEST[0])
    sampler = SOLVERS.build(dict(type="DDIMSampler", clip_x1=True))
    x = torch.randn(128, 1, generator=torch.Generator().manual_seed(5)).double()
    model = denoiser_model(GaussianDenoiser(path, mean=3.0, scale=0.1))
    out = sampler.solve(model, x, uniform_grid(path, 10)).x1
    assert float(out.max()) <= 1.0


@pytest.mark.parametrize(
    "registry, cfg, match",
    [
        (TIME_GRIDS, dict(type="UniformTimeGrid", num_steps=0), "num_steps"),
        (SOLVERS, dict(type="DDIMSampler", eta=-0.5), "eta"),
        (TIME_GRIDS, dict(type="DDPMSpacingTimeGrid", num_steps=2.5), "num_steps"),
    ],
)
def test_bad_sampler_arguments_name_themselves(registry, cfg, match):
    with pytest.raises(ValueError, match=match):
        registry.build(cfg)
