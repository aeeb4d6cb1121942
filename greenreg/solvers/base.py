"""The ODE-solver interface: integrate dx/dt = v(x, t) from t=0 to t=1."""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass

from torch import Tensor

VelocityFn = Callable[[Tensor, Tensor], Tensor]


@dataclass
class SolverResult:
    """The end state of an integration.

    Attributes:
        x1 (Tensor): state at t=1, shape (B, ...).
        nfe (int): number of velocity evaluations spent.
    """

    x1: Tensor
    nfe: int


class BaseSolver(metaclass=ABCMeta):
    """Integrates a velocity field ``velocity(x (B, ...), t (B,)) -> (B, ...)`` over [0, 1].

    Subclasses implement :meth:`solve`.
    """

    @abstractmethod
    def solve(self, velocity: VelocityFn, x0: Tensor) -> SolverResult:
        """Integrates from x0 at t=0 to t=1."""
