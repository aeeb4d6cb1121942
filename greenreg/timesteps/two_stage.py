"""Two-stage time sampling: a narrow range first, then the whole path (seed 003)."""

from __future__ import annotations

from torch import Tensor

from greenreg.registry import TIME_SAMPLERS
from greenreg.timesteps.base import BaseTimeSampler


@TIME_SAMPLERS.register_module()
class TwoStageTimeSampler(BaseTimeSampler):
    """t ~ U[first_stage_range] before ``first_stage_iters``, then the ``then`` sampler.

    Seed 003 trains the near-data end first (t in [0.7, 1.0], where structure is refined)
    and switches to the whole path afterwards. Unlike CurriculumTimeSampler it does not mix:
    the switch is hard.

    Args:
        first_stage_iters (int): first iteration of the second stage, >= 0.
        first_stage_range (tuple[float, float]): (low, high) of the first stage, with
            0 <= low < high <= 1.
        then (dict | None): the second stage's sampler (TIME_SAMPLERS), fed the same
            uniforms; None = t ~ U[0, 1]. Seed 003 uses LogitStudentTTimeSampler.

    Raises:
        ValueError: if ``first_stage_iters`` < 0 or ``first_stage_range`` is not as above.

    Example:
        ``dict(type='TwoStageTimeSampler', first_stage_iters=10000,
        first_stage_range=(0.7, 1.0), then=dict(type='LogitStudentTTimeSampler'))``
    """

    def __init__(
        self,
        first_stage_iters: int,
        first_stage_range: tuple[float, float] = (0.7, 1.0),
        then: dict | None = None,
    ) -> None:
        if not isinstance(first_stage_iters, int) or first_stage_iters < 0:
            raise ValueError(
                f"TwoStageTimeSampler.first_stage_iters (model.time_sampler.first_stage_iters):"
                f" must be a non-negative int; expected an int >= 0, "
                f"got {first_stage_iters!r}."
            )
        rng = tuple(first_stage_range)  # configs may hold a list
        if len(rng) != 2 or not 0.0 <= rng[0] < rng[1] <= 1.0:
            raise ValueError(
                f"TwoStageTimeSampler.first_stage_range (model.time_sampler.first_stage_range):"
                f" not an increasing sub-range of [0, 1]; expected (low, high) with "
                f"0 <= low < high <= 1, got {first_stage_range!r}."
            )
        self.first_stage_iters = first_stage_iters
        self.low, self.high = rng
        self.then = None if then is None else TIME_SAMPLERS.build(then)

    def transform(self, u: Tensor, iteration: int = 0) -> Tensor:
        """Maps u to low + (high - low) u before ``first_stage_iters``, then as the second stage."""
        if iteration < self.first_stage_iters:
            return self.low + (self.high - self.low) * u
        return u if self.then is None else self.then.transform(u, iteration)
