"""The probability-path interface."""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from dataclasses import dataclass

from torch import Tensor

from greenreg.utils import check_in_range


@dataclass
class PathSample:
    """A point on the path and its regression target.

    Attributes:
        xt (Tensor): state at time t, shape (B, ...).
        v_target (Tensor): conditional velocity d x_t / d t, shape (B, ...).
        t (Tensor): times, shape (B,), in [0, 1]; t=1 is data.
    """

    xt: Tensor
    v_target: Tensor
    t: Tensor


def check_times(owner: str, t: Tensor, batch_size: int) -> None:
    """Raises ValueError unless t has shape (batch_size,) and lies in [0, 1]."""
    if t.shape != (batch_size,):
        raise ValueError(f"{owner}: t must have shape ({batch_size},); got {tuple(t.shape)}.")
    check_in_range(owner, "t", t, 0.0, 1.0)


def expand_like(t: Tensor, x: Tensor) -> Tensor:
    """Reshapes t of shape (B,) to (B, 1, ..., 1) to broadcast against x."""
    return t.view(-1, *([1] * (x.dim() - 1))).to(x.dtype)


class BaseProbabilityPath(metaclass=ABCMeta):
    """Interpolates a source x0 (t=0) and data x1 (t=1).

    Subclasses implement :meth:`sample` (the training pair) and :meth:`predict_x1` (the data
    estimate implied by a velocity), both with x of shape (B, ...) and t of shape (B,).
    """

    @abstractmethod
    def sample(self, x0: Tensor, x1: Tensor, t: Tensor) -> PathSample:
        """Returns x_t and the velocity target for sources x0, data x1 and times t."""

    @abstractmethod
    def predict_x1(self, xt: Tensor, velocity: Tensor, t: Tensor) -> Tensor:
        """The data point reached by following ``velocity`` from (xt, t) to t=1."""
