"""The straight-line (rectified flow / conditional OT) path."""

from __future__ import annotations

from torch import Tensor

from greenreg.paths.base import BaseProbabilityPath, PathSample, check_times, expand_like
from greenreg.registry import PATHS


@PATHS.register_module()
class LinearPath(BaseProbabilityPath):
    """x_t = (1 - t) x0 + t x1, so d x_t / d t = x1 - x0.

    Liu et al. 2023 (rectified flow), Lipman et al. 2023 (CondOT path, Eq. 20 with
    sigma_min = 0). With x0 Gaussian, alpha_t = t and sigma_t = 1 - t.

    Example:
        ``dict(type='LinearPath')``
    """

    def sample(self, x0: Tensor, x1: Tensor, t: Tensor) -> PathSample:
        """x0, x1 of shape (B, ...), t of shape (B,) in [0, 1] -> PathSample."""
        if x0.shape != x1.shape:
            raise ValueError(
                f"LinearPath.sample: x0 and x1 must have the same shape; got "
                f"{tuple(x0.shape)} and {tuple(x1.shape)}."
            )
        check_times("LinearPath.sample", t, x1.shape[0])
        tt = expand_like(t, x1)
        return PathSample(xt=(1 - tt) * x0 + tt * x1, v_target=x1 - x0, t=t)

    def predict_x1(self, xt: Tensor, velocity: Tensor, t: Tensor) -> Tensor:
        """x1 = x_t + (1 - t) v: one Euler step to t=1 is exact on a straight path."""
        return xt + (1 - expand_like(t, xt)) * velocity
