"""ODE solvers with clamped x1 estimates (static thresholding)."""

import pytest
import torch

from greenreg.registry import PATHS, SOLVERS, TARGETS, TIME_GRIDS
from greenreg.solvers import ModelFn
from greenreg.solvers.reference_problems import GaussianDenoiser


def out_of_range_model():
    """The exact denoiser of data N(3, 0.1^2): every x1 estimate lies far above 1."""
    path = PATHS.build(dict(type="DDPMDiscretePath"))
    denoiser = GaussianDenoiser(path, mean=3.0, scale=0.1)
    target = TARGETS.build(dict(type="EpsilonTarget"))

    def network(x, t, cond):
        return target.from_denoised(denoiser(x, t), path.coefficients(t).expand_like(x))

    return ModelFn(network, path, target)


@pytest.mark.parametrize("variables", ["t", "sigma"])
def test_clamped_estimates_keep_samples_in_range_and_count_evaluations(variables):
    model = out_of_range_model()
    grid = TIME_GRIDS.build(dict(type="KarrasTimeGrid", num_steps=8))(model.path)
    x = torch.randn(128, 1, generator=torch.Generator().manual_seed(5), dtype=torch.float64)
    clipped = SOLVERS.build(dict(type="HeunSolver", ode_variables=variables, clip_x1=True))
    out = clipped.solve(model, x * 157.0, grid)
    assert float(out.x1.max()) <= 1.0 + 1e-9 and out.nfe == model.nfe == 15
    plain = SOLVERS.build(dict(type="HeunSolver", ode_variables=variables)).solve(
        model, x * 157.0, grid
    )
    assert float(plain.x1.mean()) > 2.0  # unclamped: near the data mean, 3
