"""Trains an autoencoder as a VAE: reconstruction + KL, each a logged loss."""

from __future__ import annotations

from mmengine.model import BaseModel
from torch import Tensor

from greenreg.models.generators.slots import build_or_default, component_config
from greenreg.registry import MODELS
from greenreg.schedules import build_schedule
from greenreg.schedules.base import TrainProgress


@MODELS.register_module()
class VAEModel(BaseModel):
    """The model the Runner trains for a VAE: sample z from q(z | x), decode, two losses.

    Kingma & Welling 2014: ``loss_recon`` (seed 000: log-cosh, robust to the rare large
    potential) on decode(z), z ~ q(z | x) drawn by the reparameterisation, and
    ``loss_kl`` = weight x KL(q(z | x) || N(0, I)), averaged per latent element. The
    autoencoder's ``encode_moments`` is the one encoder path, so what trains here is what a
    latent flow encodes with later (its mean).

    Args:
        autoencoder (dict): a VAE with ``encode_moments`` and ``decode`` (MODELS), e.g.
            ConvVAE.
        reconstruction_loss (dict | None): per-sample loss (MODELS); None = LogCoshLoss.
        kl_weight (float | list | dict): constant, (iteration, weight) pairs or a schedule.
        data_preprocessor (dict | None): mmengine data preprocessor.

    Example:
        ``model=dict(type='VAEModel', autoencoder=dict(type='ConvVAE'), kl_weight=1e-3)``
    """

    def __init__(
        self,
        autoencoder: dict,
        reconstruction_loss: dict | None = None,
        kl_weight: float | list | dict = 1e-3,
        data_preprocessor: dict | None = None,
    ) -> None:
        super().__init__(data_preprocessor=data_preprocessor)
        self.autoencoder = MODELS.build(component_config(autoencoder, "autoencoder"))
        if not hasattr(self.autoencoder, "encode_moments"):
            raise TypeError(
                f"VAEModel.autoencoder (model.autoencoder): expected a VAE with encode_moments "
                f"(ConvVAE), got {type(self.autoencoder).__name__}."
            )
        self.reconstruction_loss = build_or_default(
            MODELS, reconstruction_loss, "reconstruction_loss", "LogCoshLoss"
        )
        self.kl = MODELS.build(dict(type="GaussianKLLoss"))
        self.kl_weight = build_schedule(kl_weight, "VAEModel.kl_weight")

    def forward(
        self,
        inputs: Tensor,
        mode: str = "loss",
        progress: TrainProgress | None = None,
        **batch,
    ) -> dict | list:
        """The Runner's entry point: losses, or reconstructions.

        ``loss``: see :meth:`loss`; ``predict``: one dict per sample with ``samples`` (the
        reconstruction from the posterior mean, (C, H, W)) and ``inputs``.

        Args:
            inputs (Tensor): data x, shape (B, C, H, W).
            mode (str): ``"loss"`` or ``"predict"``.
            progress (TrainProgress | None): training progress (for the KL schedule).
            **batch: the batch's other entries (unused).
        """
        if mode == "loss":
            return self.loss(inputs, progress)
        if mode == "predict":
            recon = self.autoencoder.decode(self.autoencoder.encode(inputs)).float()
            return [dict(samples=r, inputs=x) for r, x in zip(recon, inputs)]
        raise ValueError(f"VAEModel.forward: mode must be 'loss' or 'predict', got {mode!r}.")

    def loss(self, x: Tensor, progress: TrainProgress | None) -> dict[str, Tensor]:
        """``loss_recon`` and ``loss_kl`` (weighted), scalars, for data x (B, C, H, W)."""
        moments = self.autoencoder.encode_moments(x)
        recon = self.autoencoder.decode(moments.sample())
        losses = dict(loss_recon=self.reconstruction_loss(recon.float(), x).mean())
        weight = self.kl_weight(progress or TrainProgress())
        if weight > 0:
            losses["loss_kl"] = weight * self.kl(moments.mean, moments.log_var).mean()
        return losses
