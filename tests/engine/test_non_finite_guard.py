"""NonFiniteGuardHook: transient NaNs are skipped, persistent ones stop the run clearly."""

import math

import pytest
import torch
from mmengine.logging import MessageHub
from mmengine.runner import Runner

from greenreg.diagnosis import diagnose, load_run
from greenreg.engine.hooks import NonFiniteTrainingError
from greenreg.models.backbones import UNetBackbone
from greenreg.registry import MODELS
from tests.conftest import tiny_ddpm_config


class NaNAtIterationsBackbone(UNetBackbone):
    """A U-Net whose output is NaN at the iterations listed in ``nan_iters`` (-1: from 8 on)."""

    def __init__(self, nan_iters=(), **kwargs):
        super().__init__(**kwargs)
        self.nan_iters = set(nan_iters)

    def forward(self, xt, t, cond=None):
        out = super().forward(xt, t, cond)
        iteration = MessageHub.get_current_instance().get_info("iter", 0)
        if iteration in self.nan_iters or (-1 in self.nan_iters and iteration >= 8):
            return out * math.nan
        return out


def guarded_run(tmp_path, nan_iters, max_skips=2, max_iters=12):
    cfg = tiny_ddpm_config(str(tmp_path / "work"), max_iters=max_iters)
    cfg.model.backbone.type = "NaNAtIterationsBackbone"
    cfg.model.backbone.nan_iters = list(nan_iters)
    cfg.model.guidance = None
    cfg.val_dataloader = cfg.val_evaluator = cfg.val_cfg = None
    cfg.default_hooks.checkpoint.interval = 4
    cfg.custom_hooks = [
        dict(type="TrainProgressHook"),
        dict(type="NonFiniteGuardHook", max_consecutive_skips=max_skips),
    ]
    MODELS.register_module(module=NaNAtIterationsBackbone, force=True)
    try:
        runner = Runner.from_cfg(cfg)
        return runner, runner.train
    except Exception:
        MODELS.module_dict.pop("NaNAtIterationsBackbone", None)
        raise


@pytest.fixture(autouse=True)
def unregister():
    yield
    MODELS.module_dict.pop("NaNAtIterationsBackbone", None)


def all_finite(model) -> bool:
    return all(bool(torch.isfinite(p).all()) for p in model.parameters())


def test_transient_nans_skip_their_steps_and_training_goes_on(tmp_path):
    runner, train = guarded_run(tmp_path, nan_iters=[3, 6, 7])
    train()
    assert runner.iter == 12
    assert all_finite(runner.model)  # no NaN step reached the weights or Adam's moments
    assert runner.message_hub.get_scalar("train/skipped_steps").current() == 3


def test_persistent_nans_stop_with_term_iteration_checkpoint_and_dump(tmp_path):
    runner, train = guarded_run(tmp_path, nan_iters=[-1], max_skips=2)
    with pytest.raises(NonFiniteTrainingError) as caught:
        train()
    message = str(caught.value)
    assert "3 non-finite steps in a row at iteration 10" in message
    assert "non-finite loss" in message
    assert "iter_8.pth" in message  # the last checkpoint, written before the NaNs began
    assert all_finite(runner.model)
    dump_dir = tmp_path / "work" / "nonfinite_iter_10"
    assert f"tools/diagnose.py {dump_dir}" in message
    verdicts = {v.key: v.accepted for v in diagnose(load_run(str(dump_dir)))}
    assert verdicts["D"]  # prediction abnormal: the NaN comes from the model


def test_a_negative_allowance_is_refused():
    from greenreg.registry import HOOKS

    with pytest.raises(ValueError, match="max_consecutive_skips"):
        HOOKS.build(dict(type="NonFiniteGuardHook", max_consecutive_skips=-1))


def test_the_optim_wrapper_skips_a_non_finite_step_and_names_the_parameter():
    from torch import nn

    from greenreg.engine.optim import NonFiniteGuardOptimWrapper

    model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1))
    wrapper = NonFiniteGuardOptimWrapper(optimizer=torch.optim.AdamW(model.parameters(), lr=0.1))
    before = [p.detach().clone() for p in model.parameters()]
    wrapper.update_params(model(torch.full((3, 2), math.nan)).sum())
    assert wrapper.skipped_last_step and wrapper.skipped_steps == 1
    assert wrapper.non_finite_param is model[0].weight
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))
    assert not wrapper.optimizer.state  # Adam's moments never saw the NaN
    wrapper.update_params(model(torch.ones(3, 2)).sum())
    assert not wrapper.skipped_last_step
    assert not all(torch.equal(a, b) for a, b in zip(before, model.parameters()))


def test_the_hook_refuses_a_wrapper_that_cannot_skip(tmp_path):
    runner, train = guarded_run(tmp_path, nan_iters=[])
    cfg = runner.cfg
    cfg.optim_wrapper = dict(cfg.optim_wrapper, type="OptimWrapper")
    cfg.experiment_name = "plain_wrapper"
    with pytest.raises(ValueError, match="NonFiniteGuardOptimWrapper.*got OptimWrapper"):
        Runner.from_cfg(cfg).train()
