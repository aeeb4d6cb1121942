"""The DDPM recipe (its DiT ablation) shrunk to 8x8 digits and a 1-block DiT, stats hook on."""

from __future__ import annotations

import os
import uuid

from mmengine.config import Config
from mmengine.runner import Runner

from tests.conftest import CONFIGS, with_tensor_stats


def tiny_ddpm_config(
    work_dir: str, max_iters: int = 100, interval: int = 2, lr: float = 2e-3
) -> Config:
    """The DDPM recipe at toy scale: no validation, logs every iteration, records every 2.

    Args:
        work_dir (str): the run's work dir.
        max_iters (int): training iterations.
        interval (int): TensorStatsHook interval.
        lr (float): peak AdamW learning rate (the recipe's is 2e-3).
    """
    cfg = Config.fromfile(os.path.join(CONFIGS, "ablations", "ddpm_mnist-dit.py"))
    cfg.work_dir = work_dir
    cfg.experiment_name = f"ddpm_{uuid.uuid4().hex[:8]}"  # mmengine keys global state on it
    cfg.train_dataloader.batch_size = 16
    cfg.train_dataloader.dataset.update(source="digits", image_size=8, heldout_size=500)
    cfg.val_dataloader = cfg.val_evaluator = cfg.val_cfg = None
    model = cfg.model
    model.backbone.update(image_size=8, patch_size=2, width=32, depth=1, num_heads=2)
    model.conditioning.embed_dim = 32
    model.time_grid.num_steps = 2
    cfg.optim_wrapper.optimizer.lr = lr
    warmup_iters = max(1, max_iters // 10)
    cfg.param_scheduler = [
        dict(type="LinearLR", start_factor=0.1, by_epoch=False, begin=0, end=warmup_iters),
        dict(
            type="CosineAnnealingLR",
            T_max=max_iters - warmup_iters,
            eta_min=lr / 10,
            by_epoch=False,
            begin=warmup_iters,
            end=max_iters,
        ),
    ]
    cfg.train_cfg = dict(type="IterBasedTrainLoop", max_iters=max_iters, val_interval=10**9)
    cfg.default_hooks.checkpoint.interval = 10**9
    cfg.default_hooks.logger.interval = 1
    cfg.log_processor.window_size = 1  # scalars.json then holds each iteration's own loss
    with_tensor_stats(cfg, interval=interval)
    cfg.log_level = "WARNING"
    return cfg


def train(cfg: Config) -> Runner:
    """Builds a Runner from ``cfg`` and trains it."""
    runner = Runner.from_cfg(cfg)
    runner.train()
    return runner
