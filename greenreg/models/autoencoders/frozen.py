"""A trained autoencoder, frozen around the flow, with its latent scale computed once."""

from __future__ import annotations

import os

import torch
from torch import Tensor

from greenreg.models.autoencoders.base import BaseAutoencoder
from greenreg.registry import MODELS


@MODELS.register_module()
class FrozenAutoencoder(BaseAutoencoder):
    """Wraps an autoencoder: weights from another run's checkpoint, never trained here.

    Latent diffusion (Rombach et al. 2022, Sec. 4.3.2) rescales latents to unit variance
    with one factor computed from the first training batch; here the shift and scale are
    measured on the first batch :meth:`encode` sees in training mode and kept as buffers,
    so they are saved in every checkpoint and a resumed or sampling run uses the same ones.
    An autoencoder whose checkpoint carries its own per-channel statistics (ConvVAE's
    ``latent_shift``/``latent_scale``, measured over the whole data set) uses those;
    ``shift``/``scale`` given in the config override both.

    Args:
        autoencoder (dict): the autoencoder (MODELS), e.g. a VAE or SpaceToDepthAutoencoder.
        checkpoint (str | None): a checkpoint of the run that trained it (mmengine's, or a
            plain state dict); None for one with nothing to load.
        prefix (str): the key prefix of its weights in that checkpoint (``"autoencoder."``
            when it was trained as a submodule), stripped before loading.
        shift (float | None): latent mean to subtract; None = measure it.
        scale (float | None): latent std to divide by, > 0; None = measure it.

    Raises:
        FileNotFoundError, CheckpointError: a missing, unsafe or foreign checkpoint.

    Example:
        ``autoencoder=dict(type='FrozenAutoencoder', autoencoder=dict(type='...'),
        checkpoint='work_dirs/vae/iter_20000.pth', prefix='autoencoder.')``
    """

    def __init__(
        self,
        autoencoder: dict,
        checkpoint: str | None = None,
        prefix: str = "",
        shift: float | None = None,
        scale: float | None = None,
    ) -> None:
        super().__init__()
        if scale is not None and not scale > 0:
            raise ValueError(
                f"FrozenAutoencoder.scale (model.autoencoder.scale): expected a float > 0, "
                f"got {scale}."
            )
        self.inner = MODELS.build(autoencoder)
        if checkpoint is not None:
            self._load(checkpoint, prefix)
        self.inner.requires_grad_(False).eval()
        self.latent_shape = getattr(self.inner, "latent_shape", None)
        given = shift is not None and scale is not None
        # per channel, shape (C, 1, 1), for an autoencoder that stores its own statistics
        # (the shape follows the architecture, so checkpoints load either way)
        own = getattr(self.inner, "latent_shift", None)
        shape = (len(own), 1, 1) if own is not None else ()
        self.register_buffer("shift", torch.full(shape, 0.0 if shift is None else float(shift)))
        self.register_buffer("scale", torch.full(shape, 1.0 if scale is None else float(scale)))
        stored = bool(getattr(self.inner, "latent_stats_ready", False))
        if stored and not given:
            # measured by its own run over the whole data set (LatentStatisticsHook)
            self.shift.copy_(self.inner.latent_shift[:, None, None])
            self.scale.copy_(self.inner.latent_scale[:, None, None])
        self.register_buffer("calibrated", torch.tensor(given or stored))

    def _load(self, path: str, prefix: str) -> None:
        from greenreg.engine.checkpoint import check_state_dict_fits, load_checkpoint

        if not os.path.isfile(path):
            raise FileNotFoundError(
                f"FrozenAutoencoder.checkpoint (model.autoencoder.checkpoint): no file {path!r}; "
                f"expected a checkpoint of the run that trained the autoencoder (train it first, "
                f"e.g. python tools/train.py configs/greendiff_vae.py)."
            )
        state = load_checkpoint(path)
        state = state.get("state_dict", state)
        mine = {k.removeprefix(prefix): v for k, v in state.items() if k.startswith(prefix)}
        check_state_dict_fits(mine, self.inner, f"model.autoencoder.checkpoint {path!r}")
        self.inner.load_state_dict(mine)

    def train(self, mode: bool = True) -> FrozenAutoencoder:
        """Keeps the wrapped autoencoder in eval mode (frozen: no dropout, fixed norms)."""
        super().train(mode)
        self.inner.eval()
        return self

    @torch.no_grad()
    def encode(self, x: Tensor) -> Tensor:
        """Data -> normalised latents (z - shift) / scale; calibrates on the first batch."""
        z = self.inner.encode(x).float()
        if self.training and not bool(self.calibrated):
            self.shift.fill_(float(z.mean()))
            self.scale.fill_(float(z.std().clamp(min=1e-8)))
            self.calibrated.fill_(True)
        return (z - self.shift) / self.scale

    @torch.no_grad()
    def decode(self, z: Tensor) -> Tensor:
        """Normalised latents -> data."""
        return self.inner.decode(z * self.scale + self.shift)
