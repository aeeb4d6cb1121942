import math

import pytest
import torch

from greenreg.registry import SOLVERS


def test_integrates_a_constant_field_exactly_and_counts_evaluations():
    solver = SOLVERS.build(dict(type="EulerSolver", num_steps=7))
    out = solver.solve(lambda x, t: torch.full_like(x, 2.0), torch.zeros(3, 2))
    torch.testing.assert_close(out.x1, torch.full((3, 2), 2.0))
    assert out.nfe == 7


def test_error_on_exponential_growth_shrinks_at_first_order():
    # dx/dt = x from x0 = 1: x(1) = e; Euler gives (1 + 1/n)^n with error ~ e / (2n)
    errors = []
    for n in (10, 20, 40):
        x1 = (
            SOLVERS.build(dict(type="EulerSolver", num_steps=n))
            .solve(lambda x, t: x, torch.ones(1))
            .x1
        )
        errors.append(abs(x1.item() - math.e))
    slopes = [math.log2(errors[i] / errors[i + 1]) for i in range(2)]
    assert all(0.9 < s < 1.1 for s in slopes)


def test_passes_times_from_zero_in_uniform_steps():
    seen = []
    SOLVERS.build(dict(type="EulerSolver", num_steps=4)).solve(
        lambda x, t: seen.append(t[0].item()) or torch.zeros_like(x), torch.zeros(2, 1)
    )
    assert seen == [0.0, 0.25, 0.5, 0.75]


@pytest.mark.parametrize("steps", [0, -3, 2.5])
def test_rejects_a_step_count_that_is_not_a_positive_int(steps):
    with pytest.raises(ValueError, match="num_steps"):
        SOLVERS.build(dict(type="EulerSolver", num_steps=steps))
