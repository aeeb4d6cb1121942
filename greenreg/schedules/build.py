"""One way to write a scheduled hyperparameter in a config."""

from __future__ import annotations

from greenreg.registry import SCHEDULES
from greenreg.schedules.base import BaseSchedule
from greenreg.schedules.piecewise_linear import PiecewiseLinearSchedule


def build_schedule(spec, where: str, allow_negative: bool = False) -> BaseSchedule:
    """A schedule from a number (constant), a list of (iteration, value) pairs or a dict.

    Args:
        spec (float | list | dict | BaseSchedule): the config value.
        where (str): its config key, named in errors.
        allow_negative (bool): accept negative values (numbers and pair lists).

    Returns:
        BaseSchedule: the schedule.

    Raises:
        TypeError, ValueError: ``spec`` is none of these, or out of range.
    """
    if isinstance(spec, BaseSchedule):
        return spec
    if isinstance(spec, dict):
        return SCHEDULES.build(spec)
    if isinstance(spec, (int, float)) and not isinstance(spec, bool):
        spec = [(0, float(spec))]
    if isinstance(spec, (list, tuple)):
        return PiecewiseLinearSchedule(spec, allow_negative=allow_negative, where=where)
    raise TypeError(
        f"{where}: expected a number, a list of (iteration, value) pairs or a schedule dict, "
        f"got {spec!r}."
    )
