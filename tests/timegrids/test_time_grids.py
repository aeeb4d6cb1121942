"""Time grids against their formulas: uniform, log-SNR, Karras sigmas, diffusers' spacings."""

import numpy as np
import pytest
import torch

from greenreg.registry import PATHS, TIME_GRIDS

T = 1000  # DDPM training steps
GRIDS = [
    dict(type="UniformTimeGrid", num_steps=12),
    dict(type="LogSNRUniformTimeGrid", num_steps=12),
    dict(type="KarrasTimeGrid", num_steps=12),
]
# paths whose sampling range has finite, nonzero SNR at both ends (VP linear and DDPM), or
# reaches t = 1 with sigma > 0 (VE)
FINITE_PATHS = [
    dict(type="DDPMDiscretePath", num_steps=T),
    dict(type="VPLinearPath"),
    dict(type="KarrasSigmaPath"),
]


def ids(cfg: dict) -> str:
    return cfg["type"]


def log_snr(path, t: torch.Tensor) -> torch.Tensor:
    return path.log_snr(t.double())


@pytest.mark.parametrize("path_cfg", FINITE_PATHS, ids=ids)
@pytest.mark.parametrize("grid_cfg", GRIDS, ids=ids)
def test_every_grid_runs_from_the_paths_start_to_exactly_one(grid_cfg, path_cfg):
    path = PATHS.build(path_cfg)
    grid = TIME_GRIDS.build(grid_cfg)(path)
    assert grid.dtype == torch.float64 and grid.shape == (13,)
    assert float(grid[0]) == path.sampling_range[0] and float(grid[-1]) == 1.0
    assert bool((grid[1:] > grid[:-1]).all())
    # every interior point lies where an ODE sampler may evaluate the velocity
    assert float(grid[-2]) <= path.sampling_range[1]


@pytest.mark.parametrize("path_cfg", [dict(type="LinearPath"), *FINITE_PATHS], ids=ids)
def test_uniform_grid_is_equally_spaced_in_t(path_cfg):
    grid = TIME_GRIDS.build(dict(type="UniformTimeGrid", num_steps=8))(PATHS.build(path_cfg))
    expected = torch.tensor([i / 8 for i in range(9)], dtype=torch.float64)
    torch.testing.assert_close(grid, expected, rtol=0, atol=1e-15)


@pytest.mark.parametrize("num_steps", [1, 2, 10])
@pytest.mark.parametrize(
    "path_cfg", [dict(type="DDPMDiscretePath", num_steps=T), dict(type="VPLinearPath")], ids=ids
)
def test_log_snr_grid_is_equally_spaced_from_start_to_last_sampling_time(path_cfg, num_steps):
    path = PATHS.build(path_cfg)
    grid = TIME_GRIDS.build(dict(type="LogSNRUniformTimeGrid", num_steps=num_steps))(path)
    ends = torch.tensor(path.sampling_range, dtype=torch.float64)
    low, high = log_snr(path, ends).tolist()
    expected = np.linspace(low, high, num_steps) if num_steps > 1 else np.array([low])
    np.testing.assert_allclose(log_snr(path, grid[:-1]).numpy(), expected, rtol=0, atol=1e-9)
    if num_steps > 1:
        assert float(grid[-2]) == path.sampling_range[1]  # exactly: no bisection ulp past it


def test_log_snr_grid_starts_at_min_log_snr_where_the_path_starts_at_snr_zero():
    path = PATHS.build(dict(type="LinearPath"))  # log SNR = 2 log(t / (1 - t)), -inf at t=0
    cfg = dict(type="LogSNRUniformTimeGrid", num_steps=6, min_log_snr=-4.0, max_log_snr=6.0)
    grid = TIME_GRIDS.build(cfg)(path)
    assert float(grid[0]) == 0.0 and float(grid[-1]) == 1.0
    np.testing.assert_allclose(log_snr(path, grid[1:-1]).numpy(), np.linspace(-4, 6, 6)[1:])


def test_log_snr_grid_on_a_ve_path_spaces_its_final_point_too():
    # KarrasSigmaPath is sampled up to t = 1, where sigma = sigma_min > 0: the final point
    # is the last of N + 1 equal levels
    path = PATHS.build(dict(type="KarrasSigmaPath"))
    grid = TIME_GRIDS.build(dict(type="LogSNRUniformTimeGrid", num_steps=5))(path)
    low, high = log_snr(path, torch.tensor([0.0, 1.0], dtype=torch.float64)).tolist()
    np.testing.assert_allclose(log_snr(path, grid).numpy(), np.linspace(low, high, 6), atol=1e-9)


def karras_sigmas(sigma_min: float, sigma_max: float, rho: float, n: int) -> np.ndarray:
    """EDM, Eq. 5: sigma_i = (smax^(1/rho) + i/(N-1) (smin^(1/rho) - smax^(1/rho)))^rho."""
    i = np.arange(n)
    root_max, root_min = sigma_max ** (1 / rho), sigma_min ** (1 / rho)
    return (root_max + i / (n - 1) * (root_min - root_max)) ** rho


def sigma_of(path, t: torch.Tensor) -> np.ndarray:
    """EDM's noise level sigma / alpha = exp(-log SNR / 2)."""
    return torch.exp(-log_snr(path, t) / 2).numpy()


@pytest.mark.parametrize("rho", [1.0, 7.0])
def test_karras_grid_follows_edm_sigmas_on_the_ddpm_path(rho):
    path = PATHS.build(dict(type="DDPMDiscretePath", num_steps=T))
    grid = TIME_GRIDS.build(dict(type="KarrasTimeGrid", num_steps=10, rho=rho))(path)
    sigma_max, sigma_min = sigma_of(path, torch.tensor(path.sampling_range, dtype=torch.float64))
    expected = karras_sigmas(sigma_min, sigma_max, rho, 10)
    np.testing.assert_allclose(sigma_of(path, grid[:-1]), expected, rtol=1e-9)
    assert float(grid[0]) == 0.0 and float(grid[-2]) == path.sampling_range[1]


def test_karras_grid_with_explicit_levels_on_the_linear_path():
    path = PATHS.build(dict(type="LinearPath"))  # sigma / alpha = (1 - t) / t
    cfg = dict(type="KarrasTimeGrid", num_steps=8, rho=7.0, sigma_min=0.002, sigma_max=80.0)
    grid = TIME_GRIDS.build(cfg)(path)
    expected_t = 1 / (1 + karras_sigmas(0.002, 80.0, 7.0, 8))
    np.testing.assert_allclose(grid[:-1].numpy(), expected_t, rtol=1e-12)
    assert float(grid[-1]) == 1.0


def test_karras_grid_on_the_karras_path_is_its_uniform_grid():
    # the path's sigma(t) is EDM's formula with i / (N - 1) -> t: N + 1 levels give t = i / N
    path = PATHS.build(dict(type="KarrasSigmaPath", rho=7.0))
    grid = TIME_GRIDS.build(dict(type="KarrasTimeGrid", num_steps=6, rho=7.0))(path)
    torch.testing.assert_close(grid, torch.linspace(0, 1, 7, dtype=torch.float64))


def diffusers_timesteps(spacing: str, n: int, offset: int = 0) -> np.ndarray:
    """DDIMScheduler.set_timesteps (diffusers 0.2x), written out."""
    if spacing == "leading":
        return (np.arange(0, n) * (T // n)).round()[::-1].astype(np.int64) + offset
    if spacing == "trailing":
        # [:n]: the float arange overshoots by one entry (-1) for some n (61, 103, ...)
        return (np.round(np.arange(T, 0, -T / n)).astype(np.int64) - 1)[:n]
    return np.linspace(0, T - 1, n).round()[::-1].astype(np.int64)


@pytest.mark.parametrize("num_steps", [1, 10, 50, 61, 103, 250, 999, 1000])
@pytest.mark.parametrize("spacing", ["leading", "trailing", "linspace"])
def test_ddpm_spacing_matches_diffusers(spacing, num_steps):
    cfg = dict(type="DDPMSpacingTimeGrid", num_steps=num_steps, spacing=spacing)
    grid_builder = TIME_GRIDS.build(cfg)
    expected = diffusers_timesteps(spacing, num_steps)
    np.testing.assert_array_equal(grid_builder.steps(T), expected)
    # step k at t = 1 - (k + 1) / T, then the final step to t = 1
    grid = grid_builder(PATHS.build(dict(type="DDPMDiscretePath", num_steps=T)))
    expected_t = np.append(1 - (expected + 1) / T, 1.0)
    np.testing.assert_allclose(grid.numpy(), expected_t, rtol=0, atol=1e-15)


def test_ddpm_spacing_leading_adds_the_offset():
    cfg = dict(type="DDPMSpacingTimeGrid", num_steps=50, spacing="leading", steps_offset=1)
    np.testing.assert_array_equal(
        TIME_GRIDS.build(cfg).steps(T), diffusers_timesteps("leading", 50, offset=1)
    )


def test_trailing_and_linspace_start_at_pure_noise_and_all_steps_is_the_uniform_grid():
    path = PATHS.build(dict(type="DDPMDiscretePath", num_steps=T))
    for spacing in ("trailing", "linspace"):
        cfg = dict(type="DDPMSpacingTimeGrid", num_steps=20, spacing=spacing)
        assert float(TIME_GRIDS.build(cfg)(path)[0]) == path.sampling_range[0]
    every = TIME_GRIDS.build(dict(type="DDPMSpacingTimeGrid", num_steps=T))(path)
    uniform = TIME_GRIDS.build(dict(type="UniformTimeGrid", num_steps=T))(path)
    torch.testing.assert_close(every, uniform, rtol=0, atol=1e-15)


@pytest.mark.parametrize(
    "cfg, match",
    [
        (dict(type="UniformTimeGrid", num_steps=0), r"UniformTimeGrid\.num_steps"),
        (dict(type="UniformTimeGrid", num_steps=2.5), r"\(model\.time_grid\.num_steps\)"),
        (dict(type="LogSNRUniformTimeGrid", num_steps=True), "num_steps"),
        (dict(type="LogSNRUniformTimeGrid", max_log_snr=-20.0), "max_log_snr"),
        (dict(type="KarrasTimeGrid", rho=0.0), r"KarrasTimeGrid\.rho \(model\.time_grid\.rho\)"),
        (dict(type="KarrasTimeGrid", sigma_min=1.0, sigma_max=0.5), "sigma_min/sigma_max"),
        (dict(type="DDPMSpacingTimeGrid", spacing="uniform"), r"\.spacing .*'uniform'"),
        (dict(type="DDPMSpacingTimeGrid", steps_offset=-1), "steps_offset"),
        (dict(type="DDPMSpacingTimeGrid", num_steps=0), "num_steps"),
    ],
)
def test_bad_arguments_name_the_key(cfg, match):
    with pytest.raises(ValueError, match=match):
        TIME_GRIDS.build(cfg)


@pytest.mark.parametrize(
    "grid_cfg, path_cfg, match",
    [
        # the linear and cosine paths end at SNR inf: the grid needs an upper end
        (dict(type="LogSNRUniformTimeGrid"), dict(type="LinearPath"), "max_log_snr.*inf"),
        (dict(type="LogSNRUniformTimeGrid"), dict(type="VPCosinePath"), "max_log_snr.*inf"),
        (dict(type="KarrasTimeGrid"), dict(type="LinearPath"), "sigma_min/sigma_max"),
        (
            dict(type="DDPMSpacingTimeGrid", num_steps=T + 1),
            dict(type="DDPMDiscretePath", num_steps=T),
            r"num_steps.*at most the path's 1000",
        ),
        (
            dict(type="DDPMSpacingTimeGrid", num_steps=T, spacing="leading", steps_offset=1),
            dict(type="DDPMDiscretePath", num_steps=T),
            r"steps_offset.*T - 1 = 999, got 1000",
        ),
        (dict(type="DDPMSpacingTimeGrid"), dict(type="LinearPath"), "DDPMDiscretePath"),
    ],
)
def test_a_grid_that_does_not_fit_its_path_names_the_key(grid_cfg, path_cfg, match):
    grid = TIME_GRIDS.build(grid_cfg)
    with pytest.raises(ValueError, match=match):
        grid(PATHS.build(path_cfg))
