"""Adaptive solvers: NFE budget, evaluation reuse, tolerances, and the VP data end."""

import pytest
import torch

from greenreg.registry import PATHS, SOLVERS, TIME_GRIDS
from greenreg.solvers import AdaptiveSolver, ModelFn
from greenreg.solvers.model_fn import time_like
from greenreg.solvers.reference_problems import GaussianDenoiser, GaussianLinearFlow
from greenreg.targets import EpsilonTarget

ADAPTIVE = [
    dict(type="AdaptiveHeunSolver", threshold=1e-4),
    dict(type="Dopri5Solver", rtol=1e-7, atol=1e-7),
]
ENDS = torch.tensor([0.0, 1.0], dtype=torch.float64)


def rms(a, b) -> float:
    return float((a - b).pow(2).mean().sqrt())


def legacy_adaptive_heun_nfe(velocity, x, threshold: float, initial_step: float) -> int:
    """The loop before evaluation reuse: a fresh slope at each accepted point."""
    t, h, nfe = 0.0, initial_step, 1
    v0 = velocity(x, time_like(x, t))
    while t < 1.0:
        h = min(h, 1.0 - t)
        euler = x + h * v0
        v1 = velocity(euler, time_like(x, t + h))
        heun, nfe = x + 0.5 * h * (v0 + v1), nfe + 1
        err = float((heun - euler).pow(2).mean().sqrt())
        if err <= threshold or h <= 1e-4:
            x, t = heun, t + h
            if t < 1.0:
                v0, nfe = velocity(x, time_like(x, t)), nfe + 1
        h *= min(5.0, max(0.2, 0.9 * (threshold / max(err, 1e-12)) ** 0.5))
    return nfe


@pytest.mark.parametrize("cfg", ADAPTIVE, ids=lambda c: c["type"])
def test_builds_from_the_registry_and_reaches_the_exact_endpoint(cfg):
    solver = SOLVERS.build(cfg)
    assert isinstance(solver, AdaptiveSolver)
    problem = GaussianLinearFlow(mean=2.0, scale=0.5)
    x0 = problem.sources(256)
    out = solver.solve(ModelFn.from_velocity(problem.velocity), x0, ENDS)
    tolerance = {"AdaptiveHeunSolver": 1e-3, "Dopri5Solver": 1e-5}[cfg["type"]]
    assert rms(out.x1, problem.exact_endpoint(x0)) < tolerance
    assert 0 < out.nfe < solver.max_nfe


@pytest.mark.parametrize("cfg", ADAPTIVE, ids=lambda c: c["type"])
def test_an_exhausted_budget_raises_instead_of_stopping_short(cfg):
    solver = SOLVERS.build(dict(cfg, max_nfe=5))
    problem = GaussianLinearFlow(mean=2.0, scale=0.5)
    model = ModelFn.from_velocity(problem.velocity)
    with pytest.raises(RuntimeError, match=r"max_nfe \(model\.solver\.max_nfe\).*5 evaluations"):
        solver.solve(model, problem.sources(8), ENDS)
    assert model.nfe <= 5


def test_adaptive_heun_spends_one_evaluation_per_attempt():
    problem = GaussianLinearFlow(mean=2.0, scale=0.5)
    x0 = problem.sources(256)
    solver = SOLVERS.build(dict(type="AdaptiveHeunSolver", threshold=0.001))
    attempts = []
    check_budget = solver.check_budget  # called once before every attempted step
    solver.check_budget = lambda *args: attempts.append(args) or check_budget(*args)
    out = solver.solve(ModelFn.from_velocity(problem.velocity), x0, ENDS)
    assert out.nfe == len(attempts) + 1  # the first slope, then one per attempt
    legacy = legacy_adaptive_heun_nfe(problem.velocity, x0, 0.001, solver.initial_step)
    assert out.nfe < 0.75 * legacy
    assert rms(out.x1, problem.exact_endpoint(x0)) < 5e-3


# looser: the DDPM path's log alphas_cumprod has a kink at each of its 1,000 steps
@pytest.mark.parametrize(
    "cfg",
    [
        dict(type="AdaptiveHeunSolver", threshold=1e-3),
        dict(type="Dopri5Solver", rtol=1e-4, atol=1e-4),
    ],
    ids=lambda c: c["type"],
)
def test_on_the_ddpm_path_integrates_to_the_last_trained_step_whatever_the_grid(cfg):
    path = PATHS.build(dict(type="DDPMDiscretePath"))
    denoiser = GaussianDenoiser(path)

    def network(x, t, cond):
        return denoiser(x, t).eps

    sigma0 = float(path.coefficients(torch.zeros(1, dtype=torch.float64)).sigma)
    x = sigma0 * torch.randn(256, 1, generator=torch.Generator().manual_seed(0)).double()
    exact = denoiser.exact_endpoint(x, 0.0)
    results = []
    for steps in (1, 50):  # [0, 1] or [0, ..., 0.98, 1]: only the ends matter
        grid = TIME_GRIDS.build(dict(type="UniformTimeGrid", num_steps=steps))(path)
        model = ModelFn(network, path, EpsilonTarget())
        results.append(SOLVERS.build(cfg).solve(model, x, grid))
    torch.testing.assert_close(results[0].x1, results[1].x1)
    assert results[0].nfe == results[1].nfe
    # the last step from t = 0.999 (sigma ~ 0.01) is a denoised one: error ~ sigma^2
    assert rms(results[0].x1, exact) < 5e-3


@pytest.mark.parametrize(
    "cfg, match",
    [
        (dict(type="AdaptiveHeunSolver", max_nfe=1), "max_nfe"),
        (dict(type="AdaptiveHeunSolver", threshold=-1.0), "threshold"),
        (dict(type="Dopri5Solver", rtol=0.0), r"Dopri5Solver\.rtol \(model\.solver\.rtol\)"),
        (dict(type="Dopri5Solver", atol=-1e-3), r"Dopri5Solver\.atol \(model\.solver\.atol\)"),
        (dict(type="Dopri5Solver", max_nfe=2.5), "max_nfe"),
    ],
)
def test_bad_arguments_name_the_key(cfg, match):
    with pytest.raises(ValueError, match=match):
        SOLVERS.build(cfg)
