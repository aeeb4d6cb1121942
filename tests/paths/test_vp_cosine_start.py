"""VPCosinePath.sampling_start: where an eps model can begin sampling."""

import pytest
import torch

from greenreg.registry import PATHS, TIME_GRIDS


def test_sampling_starts_where_asked_and_eps_converts_there():
    path = PATHS.build(dict(type="VPCosinePath", sampling_start=0.02))
    grid = TIME_GRIDS.build(dict(type="UniformTimeGrid", num_steps=4))(path)
    assert grid[0] == pytest.approx(0.02) and grid[-1] == 1.0
    alpha = path.coefficients(grid[:1].float()).alpha
    assert float(alpha) == pytest.approx(torch.sin(torch.tensor(0.01 * torch.pi)).item())
    assert PATHS.build(dict(type="VPCosinePath")).sampling_range == (0.0, 1.0)
    with pytest.raises(ValueError, match=r"sampling_start.*\[0, 1\)"):
        PATHS.build(dict(type="VPCosinePath", sampling_start=1.0))
