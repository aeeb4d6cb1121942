"""Loss weights as piecewise-linear functions of the training iteration."""

from __future__ import annotations

import numpy as np


class LossWeightSchedule:
    """A weight that is constant, or linear between (iteration, value) points.

    Before the first point the weight is its value, after the last point the last value.
    ``[(0, 0.0), (30000, 0.1)]`` ramps beta_KL from 0 to 0.1 over 30k iterations;
    ``[(0, 0.1), (50000, 0.1), (50001, 0.0)]`` keeps LPIPS at 0.1 for 50k iterations, then off.

    Args:
        name (str): the loss term, for error messages.
        spec (float | list): a constant, or a list of (iteration, value) pairs with
            strictly increasing iterations.
    """

    def __init__(self, name: str, spec: float | list | tuple) -> None:
        key = f"model.loss_weights.{name}"
        if isinstance(spec, (int, float)) and not isinstance(spec, bool):
            points = [(0, float(spec))]
        elif (
            isinstance(spec, (list, tuple))
            and spec
            and all(isinstance(p, (list, tuple)) and len(p) == 2 for p in spec)
        ):
            points = [(int(i), float(v)) for i, v in spec]
        else:
            raise TypeError(
                f"CrossModalFlowMatcher.loss_weights ({key}): expected a number or a list of "
                f"(iteration, value) pairs, got {spec!r}."
            )
        iters = [i for i, _ in points]
        if any(b <= a for a, b in zip(iters, iters[1:])):
            raise ValueError(
                f"CrossModalFlowMatcher.loss_weights ({key}): iterations must increase "
                f"strictly; got {iters}."
            )
        if any(v < 0 for _, v in points):
            raise ValueError(
                f"CrossModalFlowMatcher.loss_weights ({key}): weights must be >= 0, got {points}."
            )
        self.iters = np.array(iters, dtype=np.float64)
        self.values = np.array([v for _, v in points], dtype=np.float64)

    def __call__(self, iteration: int) -> float:
        """The weight at ``iteration``."""
        return float(np.interp(iteration, self.iters, self.values))
