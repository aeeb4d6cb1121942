"""Dormand-Prince 5(4) from torchdiffeq, as a registered solver."""

from __future__ import annotations

import torch
from torch import Tensor

from greenreg.registry import SOLVERS
from greenreg.solvers.adaptive_base import AdaptiveSolver
from greenreg.solvers.model_fn import ModelFn, time_like


class _BudgetExhausted(Exception):
    """Raised inside torchdiffeq's loop to stop it at the NFE budget."""


@SOLVERS.register_module()
class Dopri5Solver(AdaptiveSolver):
    """torchdiffeq's ``odeint(method='dopri5')`` (Dormand & Prince 1980) on the velocity.

    Fifth order with an embedded fourth-order error estimate; a step is accepted when the
    error is within ``atol + rtol * |x|`` elementwise (torchdiffeq's mixed RMS norm). The
    reference adaptive solver of flow matching papers (torchcfm's dopri5 anchors).

    Args:
        rtol (float): relative tolerance, > 0.
        atol (float): absolute tolerance, > 0.
        max_nfe (int): evaluation budget; running out before the end raises.

    Raises:
        RuntimeError: (while sampling) the budget ran out before the grid's end.

    Example:
        ``dict(type='Dopri5Solver', rtol=1e-5, atol=1e-5)``
    """

    def __init__(self, rtol: float = 1e-5, atol: float = 1e-5, max_nfe: int = 1000) -> None:
        super().__init__(max_nfe)
        for name, value in (("rtol", rtol), ("atol", atol)):
            if not value > 0:
                raise ValueError(
                    f"Dopri5Solver.{name} (model.solver.{name}): expected a float > 0, got {value}."
                )
        self.rtol, self.atol = float(rtol), float(atol)

    @torch.no_grad()
    def integrate(self, model: ModelFn, x: Tensor, t: float, t_end: float) -> Tensor:
        """The state x (B, ...) carried from t to t_end within the tolerances."""
        from torchdiffeq import odeint

        start, reached = model.nfe, [t]

        def field(tau: Tensor, state: Tensor) -> Tensor:
            if model.nfe - start >= self.max_nfe:
                raise _BudgetExhausted
            reached[0] = max(reached[0], float(tau))
            return model.velocity(state, time_like(state, float(tau)))

        times = torch.tensor([t, t_end], dtype=torch.float64, device=x.device)
        try:
            out = odeint(
                field, x, times.to(x.dtype), method="dopri5", rtol=self.rtol, atol=self.atol
            )
        except _BudgetExhausted:
            self.check_budget(model.nfe - start, reached[0], t_end)
            raise
        return out[-1]
