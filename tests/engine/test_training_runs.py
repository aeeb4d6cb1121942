"""Real mmengine Runner runs on the tiny config: artefacts, resume, custom modules."""

import glob
import json
import os
import sys
import uuid
from importlib import metadata

import numpy as np
import pytest
import torch
from mmengine.runner import Runner
from torch import nn

from greenreg.engine.checkpoint import load_checkpoint
from greenreg.registry import MODELS
from greenreg.schedules import TrainProgress
from tests.conftest import CONFIGS


def run(cfg, **overrides):
    cfg.merge_from_dict(overrides)
    cfg.experiment_name = f"test_{uuid.uuid4().hex[:8]}"  # mmengine keys global state on it
    runner = Runner.from_cfg(cfg)
    runner.train()
    return runner


def test_a_tiny_run_leaves_checkpoint_sample_grid_loss_curves_and_metrics(tiny_cfg):
    cfg = tiny_cfg(max_iters=3)
    run(cfg)
    files = set(os.listdir(cfg.work_dir))
    assert {"iter_3.pth", "samples_ema_iter_3.png", "loss_curves.png", "metrics.json"} <= files
    metrics = json.load(open(os.path.join(cfg.work_dir, "metrics.json")))
    assert metrics["iter"] == 3 and metrics["metrics"]["digits/num_samples"] == 10
    scores = metrics["metrics"]
    correct = scores["digits/accuracy"] * scores["digits/num_samples"] / 100
    assert correct == pytest.approx(round(correct))  # a count of the 10 samples
    for key in ("fd", "kid", "fd_real", "accuracy_real", "total_variation_ratio"):
        assert np.isfinite(scores[f"digits/{key}"]), key
    assert scores["digits/fd"] >= 0 and scores["digits/total_variation_ratio"] > 0
    assert {"loss_flow_ema", "loss_contrastive_ema"} <= set(metrics["losses_ema"])
    ckpt = load_checkpoint(os.path.join(cfg.work_dir, "iter_3.pth"))
    assert {"state_dict", "ema_state_dict", "rng_state", "loss_ema_history"} <= set(ckpt)
    # how to reproduce it, beside the resolved config in the run's timestamped folder
    (record_path,) = glob.glob(os.path.join(cfg.work_dir, "2*", "run_record.json"))
    record = json.load(open(record_path))
    assert record["seeds"]["seed"] == 0 and record["seeds"]["world_size"] == 1
    assert record["packages"]["torch"] == metadata.version("torch")
    assert record["git"] is None or len(record["git"]["commit"]) == 40  # None: not a checkout
    assert record["command"][0] == sys.executable and record["cwd"] == os.getcwd()
    assert record["device"]["cpu_count"] >= 1 and record["resumed_from"] is None


def test_resume_continues_exactly_where_a_straight_run_would_be(tiny_cfg):
    # validating every 10 iterations in both runs: validation must not shift the RNG streams
    ramp = {"model.loss_terms.kl.weight": [(0, 0.0), (40, 0.1)], "train_cfg.val_interval": 10}
    straight = tiny_cfg(max_iters=40, name="straight")
    run(straight, **ramp)
    first = tiny_cfg(max_iters=20, name="resumed")
    run(first, **ramp)
    second = tiny_cfg(max_iters=40, name="resumed")
    run(second, resume=True, **ramp)

    a = load_checkpoint(os.path.join(straight.work_dir, "iter_40.pth"))
    b = load_checkpoint(os.path.join(second.work_dir, "iter_40.pth"))
    for key in a["state_dict"]:
        torch.testing.assert_close(a["state_dict"][key], b["state_dict"][key], rtol=0, atol=0)
    for key in a["ema_state_dict"]:
        torch.testing.assert_close(
            a["ema_state_dict"][key], b["ema_state_dict"][key], rtol=0, atol=0
        )
    flow_a = a["loss_ema_history"]["loss_flow"]
    flow_b = b["loss_ema_history"]["loss_flow"]
    assert flow_a["iter"] == flow_b["iter"] == list(range(1, 41))
    assert flow_a["raw"] == flow_b["raw"]


def test_resume_from_another_architecture_fails_clearly_and_keeps_the_checkpoint(tiny_cfg):
    import pytest

    from greenreg.engine.checkpoint import CheckpointError

    cfg = tiny_cfg(max_iters=2, name="arch")
    run(cfg)
    path = os.path.join(cfg.work_dir, "iter_2.pth")
    before = open(path, "rb").read()
    other = tiny_cfg(max_iters=4, name="arch", conditioner="PooledMLPConditioner")
    with pytest.raises(CheckpointError, match="do not fit this model"):
        run(other, resume=True)
    assert open(path, "rb").read() == before
    assert not os.path.exists(os.path.join(cfg.work_dir, "iter_4.pth"))


USER_MODULE = '''
import torch
from torch import nn
from greenreg.models.conditioners import BaseConditioner
from greenreg.models.conditioners.base import split_moments
from greenreg.registry import MODELS
from tests.conftest import CONFIGS


@MODELS.register_module()
class ConstantFieldConditioner(BaseConditioner):
    """A user's conditioner living outside greenreg: one learnable field per caption id."""

    def __init__(self, text_width: int, latent_shape: tuple) -> None:
        super().__init__()
        self.latent_shape = tuple(latent_shape)
        c, h, w = self.latent_shape
        self.proj = nn.Linear(text_width, 2 * c * h * w)

    def forward(self, encoding):
        c, h, w = self.latent_shape
        return split_moments(self.proj(encoding.pooled()).view(-1, 2 * c, h, w))
'''


def user_project(tmp_path, monkeypatch, package: str, source: str, config_tail: str = ""):
    """A user's ``<package>.module`` outside greenreg, and a config that imports it.

    One package name per test: Python caches an imported package for the whole session.
    """
    (tmp_path / package).mkdir()
    (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / package / "module.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    user_config = tmp_path / f"with_{package}.py"
    user_config.write_text(
        f"_base_ = [{os.path.join(CONFIGS, 'fm_gridquery.py')!r}]\n"
        f"custom_imports = dict(imports=['{package}.module'], allow_failed_imports=False)\n"
        + config_tail
    )
    return user_config


def test_a_user_module_plugs_in_through_custom_imports(tiny_cfg, tmp_path, monkeypatch):
    user_config = user_project(tmp_path, monkeypatch, "my_project", USER_MODULE)
    cfg = tiny_cfg(
        max_iters=2,
        name="custom",
        conditioner="ConstantFieldConditioner",
        config_path=str(user_config),
    )
    try:
        runner = run(cfg)
        assert type(runner.model.source.conditioner).__name__ == "ConstantFieldConditioner"
        assert os.path.exists(os.path.join(cfg.work_dir, "iter_2.pth"))
    finally:
        MODELS.module_dict.pop("ConstantFieldConditioner", None)


def test_generator_losses_follow_their_weight_schedules(tiny_cfg):
    cfg = tiny_cfg()
    model = MODELS.build(cfg.model)
    tokens = torch.randint(2, 30, (8, 8))
    x1 = torch.rand(8, 1, 8, 8) * 2 - 1
    labels = torch.arange(8) % 3
    # the iteration reaches the model with the batch (TrainProgressHook), not from a global
    at_start = model(x1, tokens=tokens, label=labels, progress=TrainProgress(0, 0))
    assert "loss_kl" not in at_start  # beta_KL = 0 at iteration 0: not even computed
    assert set(at_start) == {"loss_flow", "loss_contrastive", "loss_tv"}
    late = model(x1, tokens=tokens, label=labels, progress=TrainProgress(3, 48))
    assert "loss_kl" in late and late["loss_kl"] > 0
    batch = dict(tokens=tokens[:2], label=labels[:2], seed=torch.tensor([1, 2]))
    samples = model(mode="predict", **batch)
    again = model(mode="predict", **batch)
    assert samples[0]["samples"].shape == (1, 8, 8) and samples[1]["label"] == 1
    torch.testing.assert_close(samples[0]["samples"], again[0]["samples"])
    nn.Module.train(model)


USER_LOSS_TERM = '''
from greenreg.models.loss_terms import BaseLossTerm
from greenreg.registry import MODELS


@MODELS.register_module()
class SourceMeanPenaltyTerm(BaseLossTerm):
    """A user's loss term outside greenreg: the squared mean of each sample's source."""

    reads = ("x0",)

    def forward(self, step):
        return step.x0.flatten(1).mean(1).pow(2)
'''


def test_a_user_loss_term_plugs_in_through_custom_imports(tiny_cfg, tmp_path, monkeypatch):
    tail = (
        "model = dict(loss_terms=dict(source_mean=dict(type='SourceMeanPenaltyTerm',"
        " weight=[(0, 0.0), (1, 0.5)])))\n"
    )
    user_config = user_project(tmp_path, monkeypatch, "my_terms", USER_LOSS_TERM, tail)
    cfg = tiny_cfg(max_iters=3, name="user_term", config_path=str(user_config))
    try:
        run(cfg)
        with open(os.path.join(cfg.work_dir, "loss_history.json")) as f:
            history = json.load(f)
        # weight 0 at iteration 0 skips the term; from iteration 1 on it is logged
        assert history["loss_source_mean"]["iter"] == [2, 3]
        assert all(v > 0 for v in history["loss_source_mean"]["raw"])
    finally:
        MODELS.module_dict.pop("SourceMeanPenaltyTerm", None)
