"""The probability-flow ODE in EDM's variables: y = x / alpha against s = sigma / alpha."""

from __future__ import annotations

import math

import torch
from torch import Tensor

from greenreg.solvers.model_fn import ModelFn, time_like


class NoiseLevelView:
    """A ModelFn seen in the variables where the probability-flow ODE is nearly linear.

    With y = x_t / alpha and s = sigma / alpha the ODE of any affine path is dy/ds = eps(x_t)
    (Song et al. 2021, DDIM, Eq. 14; Karras et al. 2022, Eq. 4 with s(t) = alpha): Euler
    in these variables is exactly DDIM, Heun is EDM's Algorithm 1. In t, a VP schedule's
    velocity is stiff near the data (sigma ~ sqrt(1 - t)) and large Heun steps overshoot.
    The time variable here is u = -s, increasing from -s_max to 0 at the data, so the
    fixed-step rules run unchanged; :meth:`velocity` returns dy/du = -eps.

    Args:
        model (ModelFn): the model; its path must have alpha > 0 at every time used.
    """

    def __init__(self, model: ModelFn) -> None:
        self.model, self.path = model, model.path
        self._t_of: dict[float, float] = {}

    @property
    def nfe(self) -> int:
        """The model's evaluation count."""
        return self.model.nfe

    def to_u(self, t: float) -> float:
        """The variable u = -sigma / alpha at time t (-inf where alpha = 0)."""
        c = self.path.coefficients(torch.tensor([t], dtype=torch.float64))
        alpha, sigma = float(c.alpha), float(c.sigma)
        u = -sigma / alpha if alpha > 0 else -math.inf
        self._t_of[u] = t
        return u

    def to_t(self, u: float) -> float:
        """The time of u; exact for grid points, by ``path.t_from_log_snr`` in between."""
        if u not in self._t_of:
            log_snr = torch.tensor([-2 * math.log(-u)], dtype=torch.float64)
            self._t_of[u] = 1.0 if u == 0 else float(self.path.t_from_log_snr(log_snr).clamp(0, 1))
        return self._t_of[u]

    def _x_and_t(self, y: Tensor, u: float) -> tuple[Tensor, Tensor]:
        t = time_like(y, self.to_t(u))
        return self.model.coefficients(y, t).alpha * y, t

    def velocity(self, y: Tensor, u: Tensor) -> Tensor:
        """dy/du = -eps at (y (B, ...), u (B,) equal times)."""
        x, t = self._x_and_t(y, float(u[0]))
        return -self.model.denoise(x, t).eps

    def velocity_defined(self, u: float) -> bool:
        """Eps is defined at u's time (inside the sampling range, no singular conversion)."""
        t = self.to_t(u)
        if t > self.path.sampling_range[1]:
            return False
        c = self.path.coefficients(torch.tensor([t], dtype=torch.float64))
        return not bool(self.model.target.singular(c))

    def last_velocity_time(self) -> float | None:
        """The u of the path's last sampling time, if eps is defined there."""
        stop = self.model.last_velocity_time()
        return None if stop is None else self.to_u(stop)

    def step_to(self, y: Tensor, u: float, u_next: float) -> Tensor:
        """The denoised step: y' = x1 + s' eps with (x1, eps) at u (DDIM, eta = 0)."""
        x, t = self._x_and_t(y, u)
        d = self.model.denoise(x, t)
        return d.x1 + (-u_next) * d.eps

    def enter(self, x: Tensor, t: float) -> Tensor:
        """Converts x at time t to y = x / alpha.

        Raises:
            ValueError: alpha(t) = 0 (pure noise), where y is undefined.
        """
        alpha = float(self.path.coefficients(torch.tensor([t], dtype=torch.float64)).alpha)
        if alpha <= 0:
            raise ValueError(
                f"ode_variables='sigma' (model.solver.ode_variables): needs alpha > 0 at the "
                f"grid's first time; {type(self.path).__name__} has alpha({t:g}) = 0. Expected "
                f"ode_variables='t' on a path that starts from pure noise."
            )
        return x / alpha

    def leave(self, y: Tensor, t: float) -> Tensor:
        """Converts y at time t back to x = alpha y."""
        return self.model.coefficients(y, time_like(y, t)).alpha * y
