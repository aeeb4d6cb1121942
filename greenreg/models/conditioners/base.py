"""The conditioner interface: text features -> a diagonal Gaussian over the flow's source."""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from greenreg.models.encoders import TextEncoding

# a stability guard: an untrained head can emit log variances whose exp() makes the KL and the
# flow target explode in the first steps; sigma stays within [0.018, 7.4]
LOG_VAR_RANGE = (-8.0, 4.0)


@dataclass
class LatentGaussian:
    """A diagonal Gaussian N(mu, exp(log_var)) over images.

    Attributes:
        mu (Tensor): mean, shape (B, C, H, W).
        log_var (Tensor): log variance, shape (B, C, H, W), clamped to LOG_VAR_RANGE.
    """

    mu: Tensor
    log_var: Tensor

    def sample(self, generator: torch.Generator | None = None, temperature: float = 1.0) -> Tensor:
        """Reparameterised draw z = mu + temperature * exp(log_var / 2) * eps.

        Args:
            generator (torch.Generator | None): source of eps; None uses the global one.
            temperature (float): scale of the spread; 1 draws from the Gaussian itself, < 1
                trades diversity for fidelity (Kingma & Dhariwal 2018, Glow, Sec. 5).

        Returns:
            Tensor: z, shape (B, C, H, W), float32 even under autocast (bf16 would round
            the noise, and with it x_t and the velocity target, to 3 significant digits).
        """
        eps = torch.randn(
            self.mu.shape, generator=generator, device=self.mu.device, dtype=torch.float32
        )
        return self.mu.float() + temperature * torch.exp(0.5 * self.log_var.float()) * eps


def clamp_log_var(log_var: Tensor) -> Tensor:
    """Clamps a predicted log variance to LOG_VAR_RANGE."""
    return log_var.clamp(*LOG_VAR_RANGE)


def split_moments(moments: Tensor) -> LatentGaussian:
    """Splits (B, 2C, H, W) moments into a LatentGaussian with C channels each."""
    mu, log_var = moments.chunk(2, dim=1)
    return LatentGaussian(mu=mu, log_var=clamp_log_var(log_var))


def validate_latent_shape(owner: str, latent_shape: tuple | list) -> tuple[int, int, int]:
    """Checks a (C, H, W) latent shape of positive ints; returns it as a tuple."""
    shape = tuple(latent_shape)
    if len(shape) != 3 or not all(isinstance(s, int) and s > 0 for s in shape):
        raise ValueError(
            f"{owner}.latent_shape (model.source.conditioner.latent_shape): expected (C, H, W) "
            f"positive ints, got {latent_shape!r}."
        )
    return shape


class BaseConditioner(nn.Module, metaclass=ABCMeta):
    """Maps encoded captions to the Gaussian the flow starts from.

    Subclasses implement :meth:`forward`: ``TextEncoding`` with tokens (B, L, D_text) ->
    ``LatentGaussian`` with mu, log_var of shape (B, *latent_shape).
    """

    latent_shape: tuple[int, int, int]

    @abstractmethod
    def forward(self, encoding: TextEncoding) -> LatentGaussian:
        """Returns the source distribution for each caption in the batch."""
