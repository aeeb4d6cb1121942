"""Fixed-step solvers in EDM's variables (x / alpha against sigma / alpha)."""

import pytest
import torch

from greenreg.registry import SOLVERS, TIME_GRIDS
from tests.solvers.test_fixed_step_solvers import gaussian_model


def start(model, n=512, seed=0):
    sigma0 = float(model.path.coefficients(torch.zeros(1, dtype=torch.float64)).sigma)
    g = torch.Generator().manual_seed(seed)
    return sigma0 * torch.randn(n, 1, generator=g, dtype=torch.float64)


@pytest.mark.parametrize("target", ["EpsilonTarget", "DataTarget", "VTarget"])
@pytest.mark.parametrize("grid", ["LogSNRUniformTimeGrid", "KarrasTimeGrid"])
def test_euler_in_sigma_variables_is_ddim(target, grid):
    # Song et al. 2021, Eq. 14: DDIM is Euler on d(x / alpha) = eps d(sigma / alpha); on grids
    # whose last interior point is the last trained step both end with the same jump
    model, _ = gaussian_model("DDPMDiscretePath", target)
    times = TIME_GRIDS.build(dict(type=grid, num_steps=7))(model.path)
    x = start(model)
    euler = SOLVERS.build(dict(type="EulerSolver", ode_variables="sigma")).solve(model, x, times)
    ddim = SOLVERS.build(dict(type="DDIMSampler")).solve(model, x, times)
    torch.testing.assert_close(euler.x1, ddim.x1, rtol=1e-9, atol=1e-9)
    assert euler.nfe == ddim.nfe == 7


@pytest.mark.parametrize("grid", ["KarrasTimeGrid", "LogSNRUniformTimeGrid"])
def test_heun_in_sigma_variables_converges_at_second_order(grid):
    model, denoiser = gaussian_model("DDPMDiscretePath", "EpsilonTarget")
    x = start(model, seed=1)
    exact = denoiser.exact_endpoint(x, 0.0)
    errors = []
    for steps in (20, 50):
        times = TIME_GRIDS.build(dict(type=grid, num_steps=steps))(model.path)
        solver = SOLVERS.build(dict(type="HeunSolver", ode_variables="sigma"))
        out = solver.solve(model, x, times)
        assert out.nfe == 2 * steps - 1  # EDM's count: the last step to sigma = 0 is Euler
        errors.append(float((out.x1 - exact).pow(2).mean().sqrt()))
    # (50 / 20)^2 = 6.25; DDIM (first order) shrinks by about 2.5 on the same grids
    assert errors[0] / errors[1] > 5 and errors[1] < 0.01


def test_sigma_variables_need_alpha_above_zero_at_the_start():
    model, _ = gaussian_model("VPCosinePath", "EpsilonTarget")  # alpha(0) = 0: pure noise
    times = TIME_GRIDS.build(dict(type="UniformTimeGrid", num_steps=4))(model.path)
    solver = SOLVERS.build(dict(type="HeunSolver", ode_variables="sigma"))
    with pytest.raises(ValueError, match=r"ode_variables='sigma'.*alpha\(0\) = 0"):
        solver.solve(model, torch.zeros(2, 1, dtype=torch.float64), times)


def test_unknown_variables_are_named():
    with pytest.raises(ValueError, match=r"ode_variables.*expected one of \('t', 'sigma'\)"):
        SOLVERS.build(dict(type="RK4Solver", ode_variables="lambda"))
