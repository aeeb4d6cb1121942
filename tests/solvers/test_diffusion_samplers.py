"""DDIM and DDPM ancestral sampling against the exact Gaussian denoiser."""

import pytest
import torch

from greenreg.registry import PATHS, SOLVERS
from greenreg.solvers.reference_problems import GaussianDenoiser

PATHS_UNDER_TEST = [dict(type="DDPMDiscretePath"), dict(type="VPCosinePath")]
# sigma ~ sqrt(1 - t) near the DDPM path's data end makes it converge slowly: test it with
# all of its 1,000 steps, the cosine path with 200
FINE_STEPS = {"DDPMDiscretePath": 1000, "VPCosinePath": 200}


def seeded_noise(seed: int):
    g = torch.Generator().manual_seed(seed)
    return lambda like: torch.randn(like.shape, generator=g, dtype=like.dtype)


@pytest.mark.parametrize("path_cfg", PATHS_UNDER_TEST, ids=lambda c: c["type"])
def test_ddim_eta0_converges_to_the_probability_flow_map(path_cfg):
    path = PATHS.build(path_cfg)
    denoiser = GaussianDenoiser(path)
    sigma0 = float(path.coefficients(torch.zeros(1, dtype=torch.float64)).sigma)
    x = sigma0 * torch.randn(256, 2, generator=torch.Generator().manual_seed(0)).double()
    exact = denoiser.exact_endpoint(x, 0.0)
    errors = []
    for steps in (10, 40, FINE_STEPS[path_cfg["type"]]):
        sampler = SOLVERS.build(dict(type="DDIMSampler", num_steps=steps, eta=0.0))
        out = sampler.solve(denoiser, x, path, 0.0)
        assert out.nfe == steps
        errors.append(float((out.x1 - exact).abs().max()))
    assert errors[0] > errors[1] > errors[2]
    assert errors[2] < 2e-2


@pytest.mark.parametrize("path_cfg", PATHS_UNDER_TEST, ids=lambda c: c["type"])
def test_ddpm_ancestral_samples_the_data_distribution(path_cfg):
    path = PATHS.build(path_cfg)
    sampler = SOLVERS.build(dict(type="DDPMAncestralSampler", num_steps=1000))
    x = torch.randn(20000, 1, generator=torch.Generator().manual_seed(1)).double()
    out = sampler.solve(GaussianDenoiser(path), x, path, 0.0, seeded_noise(2)).x1
    assert float(out.mean()) == pytest.approx(2.0, abs=0.02)
    # plugging in E[x1 | x_t] drops Var[x1 | x_t]: a small under-dispersion that vanishes
    # as the steps shrink (0.494 at 1,000 DDPM steps, 0.480 at 200)
    assert float(out.std()) == pytest.approx(0.5, abs=0.01)


def test_ddpm_ancestral_equals_ddim_with_eta_one():
    path = PATHS.build(PATHS_UNDER_TEST[0])
    x = torch.randn(64, 3, generator=torch.Generator().manual_seed(3)).double()
    denoiser = GaussianDenoiser(path, mean=-1.0, scale=0.3)
    ddpm = SOLVERS.build(dict(type="DDPMAncestralSampler", num_steps=50))
    ddim = SOLVERS.build(dict(type="DDIMSampler", num_steps=50, eta=1.0))
    a = ddpm.solve(denoiser, x, path, 0.0, seeded_noise(4)).x1
    b = ddim.solve(denoiser, x, path, 0.0, seeded_noise(4)).x1
    torch.testing.assert_close(a, b)


def test_clip_x1_keeps_estimates_in_range():
    path = PATHS.build(PATHS_UNDER_TEST[0])
    sampler = SOLVERS.build(dict(type="DDIMSampler", num_steps=10, clip_x1=True))
    x = torch.randn(128, 1, generator=torch.Generator().manual_seed(5)).double()
    out = sampler.solve(GaussianDenoiser(path, mean=3.0, scale=0.1), x, path, 0.0).x1
    assert float(out.max()) <= 1.0


@pytest.mark.parametrize(
    "cfg, match",
    [
        (dict(type="DDIMSampler", num_steps=0), "num_steps"),
        (dict(type="DDIMSampler", eta=-0.5), "eta"),
        (dict(type="DDPMAncestralSampler", num_steps=2.5), "num_steps"),
    ],
)
def test_bad_sampler_arguments_name_themselves(cfg, match):
    with pytest.raises(ValueError, match=match):
        SOLVERS.build(cfg)
