"""Objective-gradient guidance samples the exact posterior of a Gaussian prior."""

import math

import pytest
import torch

from greenreg.registry import GUIDANCE, PATHS, SOLVERS, TIME_GRIDS
from greenreg.solvers import GaussianObservationObjective, ModelFn, ObjectiveGradientGuidance
from greenreg.solvers.reference_problems import GaussianDenoiser
from greenreg.targets import DataTarget

MEAN = torch.tensor([1.0, -0.5, 0.0], dtype=torch.float64)  # prior N(m, s^2) per dimension
SCALE, NOISE_STD, BATCH = 0.8, 0.3, 8000
# observe every dimension (A = I), or dimensions 0 and 2 only (orthonormal rows)
OPERATORS = {"identity": None, "rows_0_2": torch.eye(3, dtype=torch.float64)[[0, 2]]}


def observation(operator):
    """Y = A x1 + n for one x1 drawn from the prior, repeated over the batch: (BATCH, K)."""
    g = torch.Generator().manual_seed(0)
    x1 = MEAN + SCALE * torch.randn(3, generator=g, dtype=torch.float64)
    clean = x1 if operator is None else operator @ x1
    y = clean + NOISE_STD * torch.randn(clean.shape, generator=g, dtype=torch.float64)
    return y.expand(BATCH, -1)


def guided_samples(scale: float, operator, x1_var: float | None = SCALE**2):
    path = PATHS.build(dict(type="LinearPath"))
    denoiser = GaussianDenoiser(path, mean=MEAN, scale=SCALE)
    model = ModelFn(lambda x, t, cond: denoiser(x, t).x1, path, DataTarget())
    objective = GaussianObservationObjective(observation(operator), NOISE_STD, operator, x1_var)
    guidance = GUIDANCE.build(dict(type="ObjectiveGradientGuidance", scale=scale))
    x0 = torch.randn(BATCH, 3, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    grid = TIME_GRIDS.build(dict(type="UniformTimeGrid", num_steps=200))(path)
    return SOLVERS.build(dict(type="EulerSolver")).solve(guidance.wrap(model, objective), x0, grid)


def assert_moments(samples, mean, std):
    """Per-dimension mean and std within 5 standard errors of a Gaussian sample."""
    n = samples.shape[0]
    mean_error = (samples.mean(0) - mean).abs() / (std / n**0.5)
    std_error = (samples.std(0) - std).abs() / (std / (2 * n) ** 0.5)
    assert float(mean_error.max()) < 5 and float(std_error.max()) < 5, (mean_error, std_error)


@pytest.mark.parametrize("name", OPERATORS)
def test_guided_flow_samples_the_closed_form_posterior(name):
    operator = OPERATORS[name]
    out = guided_samples(1.0, operator)
    assert out.nfe == 200
    # per dimension: the posterior where observed, the prior elsewhere
    observed = torch.ones(3, dtype=torch.bool) if operator is None else operator.sum(0) > 0
    y = observation(operator)[0]
    y = y if operator is None else operator.T @ y  # (3,), 0 where unobserved
    s2, n2 = SCALE**2, NOISE_STD**2
    post_mean = torch.where(observed, (s2 * y + n2 * MEAN) / (s2 + n2), MEAN)
    post_std = torch.where(observed, math.sqrt(s2 * n2 / (s2 + n2)), SCALE).double()
    assert_moments(out.x1, post_mean, post_std)


def test_scale_zero_samples_the_prior():
    out = guided_samples(0.0, None)
    assert_moments(out.x1, MEAN, torch.full((3,), SCALE, dtype=torch.float64))


def test_without_the_posterior_variance_dps_overconcentrates():
    # r_t = 0 (DPS): the likelihood is as sharp as the noise at every t, so the same scale
    # shrinks the spread far below the posterior's 0.28
    out = guided_samples(1.0, None, x1_var=None)
    assert float(out.x1.std(0).max()) < 0.1


@pytest.mark.parametrize(
    "build, match",
    [
        (lambda: ObjectiveGradientGuidance(scale=-1.0), r"ObjectiveGradientGuidance\.scale"),
        (
            lambda: GUIDANCE.build(dict(type="ObjectiveGradientGuidance", scale=-0.5)),
            r"\(model\.guidance\.scale\)",
        ),
        (lambda: GaussianObservationObjective(torch.zeros(1, 3), 0.0), "noise_std"),
    ],
)
def test_bad_arguments_name_the_key(build, match):
    with pytest.raises(ValueError, match=match):
        build()
