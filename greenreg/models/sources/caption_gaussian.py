"""A caption's latent Gaussian as the flow's source (seed 001, cross-modal flow matching)."""

from __future__ import annotations

import torch
from torch import Tensor

from greenreg.models.conditioners.base import LatentGaussian
from greenreg.models.sources.base import BaseSource, SourceDraw
from greenreg.registry import MODELS


@MODELS.register_module()
class CaptionGaussianSource(BaseSource):
    """x0 = z ~ N(mu(c), sigma(c)^2): text encoder, then a conditioner, per caption.

    Liu et al. 2024 (CrossFlow): the caption reaches the image through the source alone,
    so the conditioner decides how much spatial structure the flow starts from. Loss terms
    read ``source.mu`` and ``source.log_var`` (KL, contrastive).

    Args:
        text_encoder (dict): caption tokens (B, L) -> TextEncoding (MODELS).
        conditioner (dict): TextEncoding -> LatentGaussian over (B, C, H, W) (MODELS).
        key (str): the batch key holding the caption tokens.
        sample_temperature (float): spread of z when sampling (training always draws at 1):
            z = mu + temperature * sigma * eps, in (0, 1]. Below 1 it trades diversity for
            fidelity, as reduced-temperature sampling does for Glow.

    Example:
        ``source=dict(type='CaptionGaussianSource', text_encoder=..., conditioner=...)``
    """

    def __init__(
        self,
        text_encoder: dict,
        conditioner: dict,
        key: str = "tokens",
        sample_temperature: float = 1.0,
    ) -> None:
        super().__init__()
        if not 0.0 < sample_temperature <= 1.0:
            raise ValueError(
                "CaptionGaussianSource.sample_temperature (model.source.sample_temperature): "
                f"expected a float in (0, 1], got {sample_temperature!r}."
            )
        self.sample_temperature = float(sample_temperature)
        self.text_encoder = MODELS.build(text_encoder)
        self.conditioner = MODELS.build(conditioner)
        self.key, self.keys = key, (key,)
        self.shape = tuple(getattr(self.conditioner, "latent_shape", ()))

    def encode(self, tokens: Tensor) -> LatentGaussian:
        """The Gaussian for caption ids of shape (B, L)."""
        return self.conditioner(self.text_encoder(tokens))

    def _tokens(self, batch: dict) -> Tensor:
        if self.key not in batch:
            raise KeyError(
                f"CaptionGaussianSource.key (model.source.key): the batch has no {self.key!r}; "
                f"expected caption tokens there, got keys {sorted(batch)}."
            )
        return batch[self.key]

    def forward(self, batch: dict, x1: Tensor) -> SourceDraw:
        """Z (B, C, H, W) with ``mu`` and ``log_var`` as extras."""
        latent = self.encode(self._tokens(batch))
        return SourceDraw(x0=latent.sample(), extras=dict(mu=latent.mu, log_var=latent.log_var))

    def draw(self, batch, shape, generators, device) -> Tensor:
        """Z per caption; with generators, each drawn by its own."""
        latent = self.encode(self._tokens(batch))
        tau = self.sample_temperature
        if not generators:
            return latent.sample(temperature=tau)
        rows = [
            LatentGaussian(latent.mu[i : i + 1], latent.log_var[i : i + 1]).sample(g, tau)[0]
            for i, g in enumerate(generators)
        ]
        return torch.stack(rows)
