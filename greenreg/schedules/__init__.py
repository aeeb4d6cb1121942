"""Schedules: hyperparameters as functions of training progress (iterations or kimg)."""

from greenreg.schedules.base import BaseSchedule, TrainProgress
from greenreg.schedules.build import build_schedule
from greenreg.schedules.piecewise_linear import PiecewiseLinearSchedule

__all__ = ["BaseSchedule", "PiecewiseLinearSchedule", "TrainProgress", "build_schedule"]
