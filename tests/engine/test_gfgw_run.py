"""configs/gfgw_fm.py through a real Runner at 8x8: artefacts, stats.jsonl, exact resume."""

import json
import os
import uuid

import torch
from mmengine.config import Config
from mmengine.runner import Runner

from greenreg.engine.checkpoint import load_checkpoint
from tests.conftest import CONFIGS, TINY_BACKBONES


def tiny_gfgw(work_dir: str, max_iters: int) -> Config:
    """The GFGW-FM recipe on 8x8 digits: batch 8, a 32-entry bank, 1-block U-Net."""
    cfg = Config.fromfile(os.path.join(CONFIGS, "gfgw_fm.py"))
    cfg.work_dir = work_dir
    cfg.train_dataloader.batch_size = 8
    cfg.train_dataloader.dataset.update(source="digits", image_size=8, heldout_size=500)
    cfg.val_dataloader.dataset.num_samples = 10
    cfg.val_evaluator.update(source="digits", image_size=8)
    cfg.model.backbone.update(TINY_BACKBONES["UNetBackbone"], patch_size=1)
    cfg.model.memory_bank.size = 32
    cfg.model.memory_draw = 24
    cfg.model.time_sampler.first_stage_iters = 2
    hooks = {h["type"]: h for h in cfg.custom_hooks}
    hooks["EMAHook"].batch_images = 8  # HalfLifeEMA
    hooks["KimgStatsHook"].kimg_per_tick = 0.016  # every 2 iterations
    cfg.param_scheduler = [dict(type="LinearLR", start_factor=0.5, by_epoch=False, end=2)]
    cfg.train_cfg = dict(
        type="FastResumeIterBasedTrainLoop", max_iters=max_iters, val_interval=max_iters
    )
    cfg.default_hooks.checkpoint.interval = 3
    cfg.default_hooks.logger.interval = 1
    cfg.log_level = "WARNING"
    cfg.experiment_name = f"test_{uuid.uuid4().hex[:8]}"
    return cfg


def test_gfgw_trains_logs_kimg_and_resumes_with_the_same_bank(tmp_path):
    hooks = [h["type"] for h in tiny_gfgw(str(tmp_path), 1).custom_hooks]
    assert {"EMAHook", "KimgStatsHook", "PreemptionHook", "RunRecordHook"} <= set(hooks)
    straight = tiny_gfgw(str(tmp_path / "straight"), 6)
    Runner.from_cfg(straight).train()
    Runner.from_cfg(tiny_gfgw(str(tmp_path / "resumed"), 3)).train()
    second = tiny_gfgw(str(tmp_path / "resumed"), 6)
    second.resume = True
    Runner.from_cfg(second).train()

    a = load_checkpoint(os.path.join(straight.work_dir, "iter_6.pth"))["state_dict"]
    b = load_checkpoint(os.path.join(second.work_dir, "iter_6.pth"))["state_dict"]
    assert int(a["memory_bank.count"]) == 32  # 48 images pushed through a 32-entry bank
    for key in a:  # weights and the bank alike: the resumed run coupled what the straight did
        torch.testing.assert_close(a[key], b[key], rtol=0, atol=0, msg=key)

    lines = [json.loads(x) for x in open(os.path.join(straight.work_dir, "stats.jsonl"))]
    assert [r["kimg"] for r in lines] == [0.016, 0.032, 0.048]
    assert {"loss_flow", "loss_boundary", "coupling_epsilon"} <= set(lines[-1])
    files = set(os.listdir(straight.work_dir))
    assert {"iter_6.pth", "samples_ema_iter_6.png", "metrics.json"} <= files
    metrics = json.load(open(os.path.join(straight.work_dir, "metrics.json")))["metrics"]
    assert "digits/accuracy" not in metrics and 0 <= metrics["digits/class_balance"] <= 1
