"""The shared contract of every registered path, and each schedule's closed forms."""

import math

import pytest
import torch

from greenreg.registry import PATHS

PATH_CONFIGS = [
    dict(type="LinearPath"),
    dict(type="VPCosinePath"),
    dict(type="VPLinearPath", beta_min=0.1, beta_max=20.0),
    dict(type="DDPMDiscretePath", beta_start=1e-4, beta_end=0.02, num_steps=1000),
    dict(type="KarrasSigmaPath", sigma_min=0.002, sigma_max=80.0, rho=7.0),
]
IDS = [cfg["type"] for cfg in PATH_CONFIGS]
# off the DDPM grid (multiples of 1e-3), where the piecewise log-linear derivative jumps
INTERIOR = torch.tensor([0.05, 0.2, 0.37, 0.5, 0.73, 0.9, 0.98], dtype=torch.float64) + 3.7e-4


@pytest.mark.parametrize("cfg", PATH_CONFIGS, ids=IDS)
def test_velocity_target_is_the_time_derivative_of_xt(cfg):
    path = PATHS.build(cfg)
    g = torch.Generator().manual_seed(0)
    n = len(INTERIOR)
    x0, x1 = torch.randn(n, 3, generator=g).double(), torch.randn(n, 3, generator=g).double()
    h = 1e-6
    finite_diff = (path.sample(x0, x1, INTERIOR + h).xt - path.sample(x0, x1, INTERIOR - h).xt) / (
        2 * h
    )
    torch.testing.assert_close(
        path.sample(x0, x1, INTERIOR).v_target, finite_diff, rtol=1e-4, atol=1e-4
    )


@pytest.mark.parametrize("cfg", PATH_CONFIGS, ids=IDS)
def test_log_snr_round_trips_to_time_and_increases(cfg):
    path = PATHS.build(cfg)
    log_snr = path.log_snr(INTERIOR)
    assert bool((log_snr.diff() > 0).all())
    torch.testing.assert_close(path.t_from_log_snr(log_snr), INTERIOR, atol=1e-9, rtol=0)


@pytest.mark.parametrize("cfg", PATH_CONFIGS, ids=IDS)
def test_predict_x1_inverts_the_path(cfg):
    path = PATHS.build(cfg)
    x0, x1 = torch.randn(7, 4).double(), torch.randn(7, 4).double()
    s = path.sample(x0, x1, INTERIOR)
    torch.testing.assert_close(path.predict_x1(s.xt, s.v_target, INTERIOR), x1)


@pytest.mark.parametrize("cfg", PATH_CONFIGS[:4], ids=IDS[:4])
def test_variance_preserving_paths_reach_data_and_noise(cfg):
    path = PATHS.build(cfg)
    c = path.coefficients(torch.tensor([0.0, 1.0], dtype=torch.float64))
    assert float(c.alpha[1]) == 1.0 and float(c.sigma[1]) == 0.0
    assert float(c.alpha[0]) < 0.01 and float(c.sigma[0]) > 0.9999
    if cfg["type"] != "LinearPath":
        torch.testing.assert_close(c.alpha**2 + c.sigma**2, torch.ones(2, dtype=torch.float64))


def test_ddpm_constants_match_ho_et_al():
    path = PATHS.build(PATH_CONFIGS[3])
    abar = path.alphas_cumprod
    assert abar[0].item() == pytest.approx(0.9999, abs=1e-12)
    assert abar[-1].item() == pytest.approx(4.036e-5, rel=1e-3)
    # the continuous extension passes through every step: t_k = 1 - (k + 1) / N
    k = torch.tensor([0, 1, 499, 999])
    c = path.coefficients(1 - (k + 1).double() / 1000)
    torch.testing.assert_close(c.alpha**2, abar[k])
    constants = path.schedule_constants()
    assert constants["betas"][0] == pytest.approx(1e-4) and constants["betas"][-1] == 0.02


def test_vp_linear_matches_the_score_sde_marginal():
    path = PATHS.build(PATH_CONFIGS[2])
    tau = 0.3
    expected = math.exp(-0.5 * (0.1 * tau + 0.5 * (20.0 - 0.1) * tau**2))
    c = path.coefficients(torch.tensor([1 - tau], dtype=torch.float64))
    assert float(c.alpha) == pytest.approx(expected, rel=1e-12)


def test_karras_sigmas_match_edm_spacing():
    path = PATHS.build(PATH_CONFIGS[4])
    n = 18
    i = torch.arange(n, dtype=torch.float64)
    edm = (80.0 ** (1 / 7) + i / (n - 1) * (0.002 ** (1 / 7) - 80.0 ** (1 / 7))) ** 7
    torch.testing.assert_close(path.coefficients(i / (n - 1)).sigma, edm)


@pytest.mark.parametrize(
    "cfg, match",
    [
        (dict(type="DDPMDiscretePath", beta_start=0.02, beta_end=1e-4), "beta_start"),
        (dict(type="DDPMDiscretePath", num_steps=1), "num_steps"),
        (dict(type="VPLinearPath", beta_min=-1.0), "beta_min"),
        (dict(type="KarrasSigmaPath", sigma_min=100.0), "sigma_min"),
    ],
)
def test_bad_schedule_arguments_name_themselves(cfg, match):
    with pytest.raises(ValueError, match=match):
        PATHS.build(cfg)


@pytest.mark.parametrize("cfg", PATH_CONFIGS, ids=IDS)
def test_times_outside_the_domain_are_refused(cfg):
    path = PATHS.build(cfg)
    with pytest.raises(ValueError, match="t must lie in"):
        path.sample(torch.zeros(2, 1), torch.zeros(2, 1), torch.tensor([0.5, 1.2]))
