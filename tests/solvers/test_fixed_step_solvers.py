import math

import pytest
import torch

from greenreg.paths import LinearPath
from greenreg.registry import PATHS, SOLVERS, TARGETS, TIME_GRIDS
from greenreg.solvers import ModelFn
from greenreg.solvers.reference_problems import GaussianDenoiser, GaussianLinearFlow

ORDERS = {"EulerSolver": 1, "HeunSolver": 2, "MidpointSolver": 2, "RK4Solver": 4}


def uniform_grid(steps: int):
    return torch.linspace(0.0, 1.0, steps + 1, dtype=torch.float64)


def rms_error(name, steps, problem, x0):
    model = ModelFn.from_velocity(problem.velocity)
    out = SOLVERS.build(dict(type=name)).solve(model, x0, uniform_grid(steps))
    return float((out.x1 - problem.exact_endpoint(x0)).pow(2).mean().sqrt()), out.nfe


@pytest.mark.parametrize("name, order", ORDERS.items())
def test_error_shrinks_at_the_solvers_order(name, order):
    # dx/dt = cos(t) x: x(1) = x0 exp(sin 1); time-dependent, so no order is flattered
    x0 = torch.randn(64, 3, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    exact = x0 * math.exp(math.sin(1.0))
    errors, nfes = [], []
    for steps in (20, 40):
        model = ModelFn.from_velocity(lambda x, t: torch.cos(t.double()).view(-1, 1) * x)
        out = SOLVERS.build(dict(type=name)).solve(model, x0, uniform_grid(steps))
        errors.append(float((out.x1 - exact).pow(2).mean().sqrt()))
        nfes.append(out.nfe)
    assert nfes[1] == 2 * nfes[0] == 40 * {1: 1, 2: 2, 4: 4}[order]
    assert abs(math.log2(errors[0] / errors[1]) - order) < 0.2


def test_the_grid_built_from_the_registry_is_the_uniform_grid():
    grid = TIME_GRIDS.build(dict(type="UniformTimeGrid", num_steps=20))(LinearPath())
    torch.testing.assert_close(grid, uniform_grid(20), rtol=0, atol=0)


def test_gaussian_flow_is_exact_under_a_fine_solver():
    problem = GaussianLinearFlow(mean=-1.0, scale=2.0)
    x0 = problem.sources(64)
    err, _ = rms_error("RK4Solver", 200, problem, x0)
    assert err < 1e-8


def test_adaptive_solver_meets_its_threshold_with_fewer_evaluations_than_fine_euler():
    problem = GaussianLinearFlow(mean=2.0, scale=0.5)
    x0 = problem.sources(256)
    euler_err, euler_nfe = rms_error("EulerSolver", 100, problem, x0)
    adaptive = SOLVERS.build(dict(type="AdaptiveHeunSolver", threshold=0.001))
    # adaptive solvers use only the grid's ends
    out = adaptive.solve(ModelFn.from_velocity(problem.velocity), x0, uniform_grid(1))
    err = float((out.x1 - problem.exact_endpoint(x0)).pow(2).mean().sqrt())
    assert err <= euler_err and out.nfe < euler_nfe


@pytest.mark.parametrize(
    "registry, cfg, match",
    [
        (TIME_GRIDS, dict(type="UniformTimeGrid", num_steps=0), "num_steps"),
        (TIME_GRIDS, dict(type="UniformTimeGrid", num_steps=True), "num_steps"),
        (SOLVERS, dict(type="AdaptiveHeunSolver", threshold=0.0), "threshold"),
        (SOLVERS, dict(type="AdaptiveHeunSolver", initial_step=2.0), "initial_step"),
        (SOLVERS, dict(type="AdaptiveHeunSolver", max_nfe=1), "max_nfe"),
    ],
)
def test_bad_arguments_name_the_key(registry, cfg, match):
    with pytest.raises(ValueError, match=match):
        registry.build(cfg)


def gaussian_model(path_type: str, target_type: str, denoiser_scale: float = 0.5):
    """The exact Gaussian denoiser as a network predicting ``target_type``."""
    path = PATHS.build(dict(type=path_type))
    denoiser = GaussianDenoiser(path, mean=2.0, scale=denoiser_scale)
    target = TARGETS.build(dict(type=target_type))

    def network(x, t, cond):
        return target.from_denoised(denoiser(x, t), path.coefficients(t).expand_like(x))

    return ModelFn(network, path, target), denoiser


# (path, target) pairs whose velocity is undefined at t = 1: past the DDPM path's last
# trained step, or sigma = 0 for an x1-predicting model on the linear path
SINGULAR_AT_ONE = [
    ("DDPMDiscretePath", "DataTarget"),
    ("DDPMDiscretePath", "EpsilonTarget"),
    ("DDPMDiscretePath", "VelocityTarget"),
    ("LinearPath", "DataTarget"),
]


@pytest.mark.parametrize("name", ORDERS)
@pytest.mark.parametrize("path_type, target_type", SINGULAR_AT_ONE)
def test_an_interval_ending_at_an_undefined_velocity_ends_with_a_denoised_step(
    name, path_type, target_type
):
    model, denoiser = gaussian_model(path_type, target_type)
    grid = TIME_GRIDS.build(dict(type="UniformTimeGrid", num_steps=8))(model.path)
    x = torch.randn(32, 2, generator=torch.Generator().manual_seed(6), dtype=torch.float64)
    solver = SOLVERS.build(dict(type=name))
    per_step = {1: 1, 2: 2, 4: 4}[ORDERS[name]]
    stop = model.last_velocity_time()
    # the ODE runs up to the path's last sampling time (DDPM: the last trained step) and
    # denoises from there; with no finite velocity inside the interval, from its start
    ode_end = grid[:-1]
    if stop is not None:
        ode_end = torch.cat([grid[:-1], torch.tensor([stop], dtype=torch.float64)])
    before_jump = solver.solve(model, x, ode_end)
    out = solver.solve(model, x, grid)
    t_jump = torch.full((32,), float(ode_end[-1]), dtype=torch.float64)
    torch.testing.assert_close(out.x1, denoiser(before_jump.x1, t_jump).x1)
    assert out.nfe == before_jump.nfe + 1 == (len(ode_end) - 1) * per_step + 1


def test_a_one_interval_grid_to_the_data_end_returns_the_x1_estimate():
    # x1 prediction on the linear path: no finite velocity at t = 1, one denoised step
    model, denoiser = gaussian_model("LinearPath", "DataTarget")
    x = torch.randn(16, 3, generator=torch.Generator().manual_seed(7), dtype=torch.float64)
    grid = torch.tensor([0.5, 1.0], dtype=torch.float64)
    out = SOLVERS.build(dict(type="HeunSolver")).solve(model, x, grid)
    half = torch.full((16,), 0.5, dtype=torch.float64)
    torch.testing.assert_close(out.x1, denoiser(x, half).x1)
    assert out.nfe == 1


def test_where_the_velocity_is_defined_at_one_the_last_interval_is_an_ode_step():
    problem = GaussianLinearFlow(mean=2.0, scale=0.5)  # finite velocity at t = 1
    model = ModelFn.from_velocity(problem.velocity)
    x = problem.sources(64)
    solver = SOLVERS.build(dict(type="RK4Solver"))
    out = solver.solve(model, x, uniform_grid(4))
    assert out.nfe == 16
    denoised_last = model.step_to(solver.solve(model, x, uniform_grid(4)[:-1]).x1, 0.75, 1.0)
    err = float((out.x1 - problem.exact_endpoint(x)).pow(2).mean().sqrt())
    denoised_err = float((denoised_last - problem.exact_endpoint(x)).pow(2).mean().sqrt())
    assert err < 1e-3 < denoised_err


def test_heun_on_a_karras_grid_lands_on_the_ddpm_probability_flow_map_at_low_nfe():
    model, denoiser = gaussian_model("DDPMDiscretePath", "EpsilonTarget")
    sigma0 = float(model.path.coefficients(torch.zeros(1, dtype=torch.float64)).sigma)
    g = torch.Generator().manual_seed(9)
    x = sigma0 * torch.randn(1024, 1, generator=g, dtype=torch.float64)
    exact = denoiser.exact_endpoint(x, 0.0)
    errors = []
    for steps in (10, 20):
        grid = TIME_GRIDS.build(dict(type="KarrasTimeGrid", num_steps=steps))(model.path)
        model.nfe = 0
        out = SOLVERS.build(dict(type="HeunSolver")).solve(model, x, grid)
        # EDM's count: 2 NFE per step, one for the denoised last step to sigma = 0
        assert out.nfe == 2 * steps - 1
        errors.append(float((out.x1 - exact).pow(2).mean().sqrt()))
    # at 19 NFE within a fifth of the data's std (0.5) of the exact map, and second order
    assert errors[0] < 0.1 and errors[0] / errors[1] > 3.5
