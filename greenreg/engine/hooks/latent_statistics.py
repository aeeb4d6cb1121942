"""Measures a VAE's latent statistics over the training set and stores them in the model."""

from __future__ import annotations

import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from torch import Tensor
from torch.utils.data import DataLoader

from greenreg.registry import HOOKS


class RunningMoments:
    """Per-channel mean and variance over batches, merged in float64 (Chan et al. 1979).

    Summing x and x^2 in float32 cancels catastrophically when the mean is large beside the
    spread; merging each batch's (count, mean, M2) in float64 does not.
    """

    def __init__(self, channels: int) -> None:
        self.count = 0
        self.mean = torch.zeros(channels, dtype=torch.float64)
        self.m2 = torch.zeros(channels, dtype=torch.float64)

    def update(self, z: Tensor) -> None:
        """Adds latents z (B, C, ...)."""
        flat = z.detach().double().transpose(0, 1).reshape(z.shape[1], -1).cpu()  # (C, N)
        n = flat.shape[1]
        mean = flat.mean(1)
        m2 = ((flat - mean[:, None]) ** 2).sum(1)
        delta, total = mean - self.mean, self.count + n
        self.mean = self.mean + delta * n / total
        self.m2 = self.m2 + m2 + delta**2 * self.count * n / total
        self.count = total

    @property
    def std(self) -> Tensor:
        """Population standard deviation per channel, shape (C,)."""
        return (self.m2 / max(self.count, 1)).sqrt()


@HOOKS.register_module()
class LatentStatisticsHook(Hook):
    """Before each checkpoint, measures the latents' per-channel mean and std over the data.

    Latent diffusion rescales latents to unit variance (Rombach et al. 2022, Sec. 4.3.2);
    seed 000 fixed a numerical instability in that statistic. Here it is measured once per
    checkpoint over the whole training set with the encoder that checkpoint holds (the
    posterior means, as ``encode`` gives them), merged in float64, and written into the
    autoencoder's ``latent_shift``/``latent_scale`` buffers, so the checkpoint carries them
    and FrozenAutoencoder uses them as they are. Also logs the mean relative reconstruction
    error ``||x - D(E(x))|| / ||x||`` over the same data.

    Args:
        batch_size (int): images per encoder call.
        module (str): the attribute of the model holding the autoencoder.

    Example:
        ``custom_hooks = [dict(type='LatentStatisticsHook')]``
    """

    priority = "LOW"

    def __init__(self, batch_size: int = 256, module: str = "autoencoder") -> None:
        self.batch_size, self.module = batch_size, module

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        """Measures, sets the buffers and copies them into ``checkpoint['state_dict']``."""
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        vae = getattr(model, self.module)
        shift, scale, rel_err = self.measure(vae, runner.train_dataloader.dataset)
        vae.latent_shift.copy_(shift)
        vae.latent_scale.copy_(scale)
        vae.latent_stats_ready.fill_(True)
        for name in ("latent_shift", "latent_scale", "latent_stats_ready"):
            checkpoint["state_dict"][f"{self.module}.{name}"] = getattr(vae, name).detach().cpu()
        runner.logger.info(
            f"LatentStatisticsHook: latent shift {shift.tolist()} scale {scale.tolist()}; "
            f"relative reconstruction error {rel_err:.4f} over the "
            f"{len(runner.train_dataloader.dataset)} training maps"
        )
        runner.message_hub.update_scalar("train/recon_rel_err", rel_err)

    @torch.no_grad()
    def measure(self, vae, dataset) -> tuple[Tensor, Tensor, float]:
        """(shift (C,), scale (C,), mean relative reconstruction error) over ``dataset``."""
        was_training = vae.training
        vae.eval()
        device = next(vae.parameters()).device
        moments, errors = RunningMoments(vae.latent_shape[0]), []
        loader = DataLoader(dataset, batch_size=self.batch_size, shuffle=False)
        for batch in loader:
            x = batch["inputs"].to(device).float()
            z = vae.encode(x)
            moments.update(z)
            diff = (vae.decode(z).float() - x).flatten(1).norm(dim=1)
            errors.append(diff / x.flatten(1).norm(dim=1).clamp(min=1e-12))
        vae.train(was_training)
        scale = moments.std.clamp(min=1e-6).float()
        return moments.mean.float(), scale, float(torch.cat(errors).mean())
