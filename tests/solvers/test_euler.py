import math

import pytest
import torch

from greenreg.registry import SOLVERS, TIME_GRIDS
from greenreg.solvers import ModelFn


def uniform_grid(steps: int):
    return TIME_GRIDS.build(dict(type="UniformTimeGrid", num_steps=steps))(
        ModelFn.from_velocity(lambda x, t: x).path
    )


def test_integrates_a_constant_field_exactly_and_counts_evaluations():
    solver = SOLVERS.build(dict(type="EulerSolver"))
    model = ModelFn.from_velocity(lambda x, t: torch.full_like(x, 2.0))
    out = solver.solve(model, torch.zeros(3, 2), uniform_grid(7))
    torch.testing.assert_close(out.x1, torch.full((3, 2), 2.0))
    assert out.nfe == 7 == model.nfe


def test_error_on_exponential_growth_shrinks_at_first_order():
    # dx/dt = x from x0 = 1: x(1) = e; Euler gives (1 + 1/n)^n with error ~ e / (2n)
    errors = []
    for n in (10, 20, 40):
        model = ModelFn.from_velocity(lambda x, t: x)
        x1 = SOLVERS.build(dict(type="EulerSolver")).solve(model, torch.ones(1), uniform_grid(n))
        errors.append(abs(x1.x1.item() - math.e))
    slopes = [math.log2(errors[i] / errors[i + 1]) for i in range(2)]
    assert all(0.9 < s < 1.1 for s in slopes)


def test_passes_the_grid_times_in_order():
    seen = []
    model = ModelFn.from_velocity(lambda x, t: seen.append(t[0].item()) or torch.zeros_like(x))
    SOLVERS.build(dict(type="EulerSolver")).solve(model, torch.zeros(2, 1), uniform_grid(4))
    assert seen == [0.0, 0.25, 0.5, 0.75]
    seen.clear()
    grid = torch.tensor([0.0, 0.1, 0.5, 1.0], dtype=torch.float64)
    SOLVERS.build(dict(type="EulerSolver")).solve(model, torch.zeros(2, 1), grid)
    assert seen == pytest.approx([0.0, 0.1, 0.5])


@pytest.mark.parametrize("steps", [0, -3, 2.5])
def test_rejects_a_step_count_that_is_not_a_positive_int(steps):
    # the step count now lives on the time grid (model.time_grid.num_steps)
    with pytest.raises(ValueError, match=r"UniformTimeGrid\.num_steps \(model\.time_grid"):
        TIME_GRIDS.build(dict(type="UniformTimeGrid", num_steps=steps))


def test_solvers_no_longer_take_a_step_count():
    with pytest.raises(TypeError, match="unexpected keyword argument 'num_steps'"):
        SOLVERS.build(dict(type="EulerSolver", num_steps=7))
