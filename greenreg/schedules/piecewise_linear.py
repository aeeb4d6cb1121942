"""A value that is constant, or linear between (progress, value) points."""

from __future__ import annotations

import numpy as np

from greenreg.registry import SCHEDULES
from greenreg.schedules.base import BaseSchedule, TrainProgress

UNITS = ("iter", "kimg")


@SCHEDULES.register_module()
class PiecewiseLinearSchedule(BaseSchedule):
    """Linear between (position, value) points; the end values hold before and after.

    ``[(0, 0.0), (30000, 0.1)]`` ramps beta_KL from 0 to 0.1 over 30k iterations;
    ``[(0, 0.1), (50000, 0.1), (50001, 0.0)]`` keeps LPIPS at 0.1 for 50k iterations, then
    off. Positions count iterations (``unit='iter'``) or thousands of images seen
    (``unit='kimg'``, EDM's unit, independent of batch size and rank count).

    Args:
        points (list): (position, value) pairs, positions strictly increasing, values >= 0
            unless ``allow_negative``.
        unit (str): ``"iter"`` or ``"kimg"``.
        allow_negative (bool): accept negative values.
        where (str): the config key, for error messages.

    Example:
        ``dict(type='PiecewiseLinearSchedule', points=[(0, 0.0), (1500, 0.1)])``
    """

    def __init__(
        self,
        points: list | tuple,
        unit: str = "iter",
        allow_negative: bool = False,
        where: str = "schedule",
    ) -> None:
        if not (
            isinstance(points, (list, tuple))
            and points
            and all(isinstance(p, (list, tuple)) and len(p) == 2 for p in points)
        ):
            raise TypeError(
                f"PiecewiseLinearSchedule.points ({where}): expected a list of (position, "
                f"value) pairs, got {points!r}."
            )
        if unit not in UNITS:
            raise ValueError(
                f"PiecewiseLinearSchedule.unit ({where}): expected one of {UNITS}, got {unit!r}."
            )
        positions = [float(p) for p, _ in points]
        values = [float(v) for _, v in points]
        if any(b <= a for a, b in zip(positions, positions[1:])):
            raise ValueError(
                f"PiecewiseLinearSchedule.points ({where}): positions must increase strictly; "
                f"got {positions}."
            )
        if not allow_negative and any(v < 0 for v in values):
            raise ValueError(
                f"PiecewiseLinearSchedule.points ({where}): values must be >= 0, got {values}."
            )
        self.unit, self.where = unit, where
        self.positions = np.array(positions, dtype=np.float64)
        self.values = np.array(values, dtype=np.float64)

    def value(self, progress: TrainProgress) -> float:
        """Linear interpolation at the progress position."""
        position = progress.iteration if self.unit == "iter" else progress.kimg
        return float(np.interp(position, self.positions, self.values))
