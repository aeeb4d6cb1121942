import math

import pytest
import torch

from greenreg.registry import SOLVERS
from greenreg.solvers.reference_problems import GaussianLinearFlow

ORDERS = {"EulerSolver": 1, "HeunSolver": 2, "MidpointSolver": 2, "RK4Solver": 4}


def rms_error(name, steps, problem, x0):
    out = SOLVERS.build(dict(type=name, num_steps=steps)).solve(problem.velocity, x0)
    return float((out.x1 - problem.exact_endpoint(x0)).pow(2).mean().sqrt()), out.nfe


@pytest.mark.parametrize("name, order", ORDERS.items())
def test_error_shrinks_at_the_solvers_order(name, order):
    # dx/dt = cos(t) x: x(1) = x0 exp(sin 1); time-dependent, so no order is flattered
    x0 = torch.randn(64, 3, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    exact = x0 * math.exp(math.sin(1.0))
    errors, nfes = [], []
    for steps in (20, 40):
        out = SOLVERS.build(dict(type=name, num_steps=steps)).solve(
            lambda x, t: torch.cos(t.double()).view(-1, 1) * x, x0
        )
        errors.append(float((out.x1 - exact).pow(2).mean().sqrt()))
        nfes.append(out.nfe)
    assert nfes[1] == 2 * nfes[0] == 40 * {1: 1, 2: 2, 4: 4}[order]
    assert abs(math.log2(errors[0] / errors[1]) - order) < 0.2


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
    out = adaptive.solve(problem.velocity, x0)
    err = float((out.x1 - problem.exact_endpoint(x0)).pow(2).mean().sqrt())
    assert err <= euler_err and out.nfe < euler_nfe


@pytest.mark.parametrize(
    "cfg, match",
    [
        (dict(type="HeunSolver", num_steps=0), "num_steps"),
        (dict(type="RK4Solver", num_steps=True), "num_steps"),
        (dict(type="AdaptiveHeunSolver", threshold=0.0), "threshold"),
        (dict(type="AdaptiveHeunSolver", initial_step=2.0), "initial_step"),
    ],
)
def test_bad_arguments_name_the_key(cfg, match):
    with pytest.raises(ValueError, match=match):
        SOLVERS.build(cfg)
