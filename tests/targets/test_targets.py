"""Every target converts exactly to every other, on every path; singular points are refused."""

import pytest
import torch

from greenreg.registry import PATHS, TARGETS
from greenreg.targets import Denoised
from tests.paths.test_affine_paths import IDS, INTERIOR, PATH_CONFIGS

TARGET_NAMES = ["EpsilonTarget", "DataTarget", "VTarget", "VelocityTarget"]


@pytest.mark.parametrize("path_cfg", PATH_CONFIGS, ids=IDS)
@pytest.mark.parametrize("source", TARGET_NAMES)
@pytest.mark.parametrize("dest", TARGET_NAMES)
def test_conversion_between_any_two_targets_is_exact(path_cfg, source, dest):
    path = PATHS.build(path_cfg)
    src, dst = TARGETS.build(dict(type=source)), TARGETS.build(dict(type=dest))
    g = torch.Generator().manual_seed(0)
    x1, eps = (torch.randn(len(INTERIOR), 2, 3, generator=g).double() for _ in range(2))
    c = path.coefficients(INTERIOR).expand_like(x1)
    xt = path.sample(eps, x1, INTERIOR).xt
    truth = Denoised(x1=x1, eps=eps)
    converted = src.convert(src.from_denoised(truth, c), xt, c, to=dst)
    torch.testing.assert_close(converted, dst.from_denoised(truth, c), rtol=1e-7, atol=1e-7)


def test_velocity_target_equals_the_paths_velocity():
    path = PATHS.build(dict(type="VPCosinePath"))
    x0, x1 = torch.randn(len(INTERIOR), 5).double(), torch.randn(len(INTERIOR), 5).double()
    c = path.coefficients(INTERIOR).expand_like(x1)
    u = TARGETS.build(dict(type="VelocityTarget")).from_denoised(Denoised(x1, x0), c)
    torch.testing.assert_close(u, path.sample(x0, x1, INTERIOR).v_target)


@pytest.mark.parametrize(
    "target, t, what", [("EpsilonTarget", 0.0, "alpha = 0"), ("DataTarget", 1.0, "sigma = 0")]
)
def test_conversion_at_a_singular_time_names_the_problem(target, t, what):
    path = PATHS.build(dict(type="VPCosinePath"))
    x = torch.zeros(2, 3)
    c = path.coefficients(torch.full((2,), t)).expand_like(x)
    with pytest.raises(ValueError, match=f"{target}: cannot convert where {what}"):
        TARGETS.build(dict(type=target)).to_denoised(x, x, c)
