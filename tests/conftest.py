"""Shared fixtures: a tiny but real training config, and temporary registrations."""

from __future__ import annotations

import os

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

import greenreg  # noqa: F401  (registers greenreg's components)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIGS = os.path.join(REPO, "configs")

# keep the 2 CI cores for one test process: oversubscribed threads run many times slower
torch.set_num_threads(1)
init_default_scope("greenreg")


# each backbone at 8x8 with one block: a run of a few iterations takes seconds
TINY_BACKBONES = {
    "DiTBackbone": dict(image_size=8, patch_size=4, width=32, depth=1, num_heads=2),
    "UNetBackbone": dict(
        image_size=8,
        base_channels=8,
        channel_mults=(1, 2),
        num_res_blocks=1,
        attention_resolutions=(4,),
        num_heads=2,
        groups=4,
    ),
}


def tiny_config(
    work_dir: str,
    max_iters: int = 3,
    conditioner: str | None = None,
    config_path: str | None = None,
) -> Config:
    """configs/fm_gridquery.py shrunk to 8x8 scikit-learn digits and a 1-block backbone.

    Runs a real Runner (EMA, clip, checkpoints, val sampling, metric, hooks) in seconds.
    """
    cfg = Config.fromfile(config_path or os.path.join(CONFIGS, "fm_gridquery.py"))
    cfg.work_dir = work_dir
    cfg.train_dataloader.batch_size = 16
    cfg.train_dataloader.dataset.update(source="digits", image_size=8, heldout_size=500)
    cfg.val_dataloader.batch_size = 10
    cfg.val_dataloader.dataset.samples_per_digit = 1
    cfg.val_evaluator.update(source="digits", image_size=8)
    model = cfg.model
    model.backbone.update(TINY_BACKBONES[model.backbone.type])
    model.time_grid.num_steps = 2
    if model.source.type == "CaptionGaussianSource":
        model.source.text_encoder.update(width=32, depth=1)
        model.source.conditioner.update(text_width=32, latent_shape=(1, 8, 8), grid_size=4)
        if conditioner is not None:
            model.source.conditioner = dict(type=conditioner, text_width=32, latent_shape=(1, 8, 8))
        model.loss_terms.kl.weight = [(0, 0.0), (max_iters, 0.1)]
    cfg.param_scheduler = [dict(type="LinearLR", start_factor=0.5, by_epoch=False, begin=0, end=2)]
    cfg.train_cfg = dict(
        type="FastResumeIterBasedTrainLoop", max_iters=max_iters, val_interval=max_iters
    )
    cfg.default_hooks.checkpoint.interval = max_iters
    cfg.default_hooks.logger.interval = 1
    cfg.log_level = "WARNING"
    return cfg


def tiny_ddpm_config(work_dir: str, max_iters: int = 3) -> Config:
    """configs/ddpm_mnist.py shrunk like :func:`tiny_config` (8x8 digits, a 1-block U-Net)."""
    cfg = tiny_config(work_dir, max_iters, config_path=os.path.join(CONFIGS, "ddpm_mnist.py"))
    cfg.model.backbone.update(patch_size=2)
    cfg.model.conditioning.embed_dim = 32
    cfg.model.time_grid.num_steps = 4
    return cfg


def with_tensor_stats(cfg: Config, **kwargs) -> Config:
    """Sets the config's TensorStatsHook arguments (adds the hook if the config has none)."""
    hooks = [h for h in cfg.custom_hooks if h["type"] == "TensorStatsHook"]
    if hooks:
        hooks[0].update(kwargs)
    else:
        cfg.custom_hooks.append(dict(type="TensorStatsHook", **kwargs))
    return cfg


@pytest.fixture
def tiny_cfg(tmp_path):
    """A factory: ``tiny_cfg(max_iters=3, conditioner=None)`` in a fresh work dir."""

    def make(
        max_iters: int = 3, conditioner: str | None = None, name: str = "run", config_path=None
    ) -> Config:
        return tiny_config(str(tmp_path / name), max_iters, conditioner, config_path)

    return make


@pytest.fixture
def temporary_registration():
    """Registers classes for one test and removes them afterwards."""
    added = []

    def register(registry, cls):
        registry.register_module(module=cls)
        added.append((registry, cls.__name__))
        return cls

    yield register
    for registry, name in added:
        registry.module_dict.pop(name, None)
