"""SpeedSwitchesHook: each switch does what it says, on the named submodules only."""

import pytest
import torch
from torch import nn

from greenreg.engine.hooks import SpeedSwitchesHook


class Two(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = nn.Sequential(nn.Conv2d(3, 4, 3))
        self.head = nn.Conv2d(4, 4, 3)


def test_switches_apply_to_the_named_modules_and_keep_checkpoint_keys():
    model, before = Two(), torch.get_float32_matmul_precision()
    keys = sorted(model.state_dict())
    try:
        SpeedSwitchesHook(
            float32_matmul_precision="high", channels_last=["backbone"], compile=["head"]
        ).apply(model)
        assert torch.get_float32_matmul_precision() == "high"
    finally:
        torch.set_float32_matmul_precision(before)
    cl = torch.channels_last
    assert model.backbone[0].weight.is_contiguous(memory_format=cl)
    assert not model.head.weight.is_contiguous(memory_format=cl)
    assert model.head._compiled_call_impl is not None  # compiled lazily, in place
    assert model.backbone._compiled_call_impl is None
    assert sorted(model.state_dict()) == keys


def test_bad_switches_name_what_is_wrong():
    with pytest.raises(ValueError, match="float32_matmul_precision.*'fast'"):
        SpeedSwitchesHook(float32_matmul_precision="fast")
    with pytest.raises(KeyError, match=r"no module 'backbone.9'.*\['0'\]"):
        SpeedSwitchesHook(compile=["backbone.9"]).apply(Two())


@pytest.fixture
def tf32_flags():
    """Restores torch's global TF32 flags after the test."""
    saved = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
    yield
    torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = saved


@pytest.mark.parametrize("tf32", [True, False])
def test_tf32_sets_matmul_and_cudnn_flags(tf32, tf32_flags):
    SpeedSwitchesHook(tf32=tf32).apply(Two())
    assert torch.backends.cuda.matmul.allow_tf32 is tf32
    assert torch.backends.cudnn.allow_tf32 is tf32
    # the legacy matmul flag is the float32 matmul precision: TF32 = "high"
    assert torch.get_float32_matmul_precision() == ("high" if tf32 else "highest")


def test_tf32_none_leaves_the_flags(tf32_flags):
    torch.backends.cudnn.allow_tf32 = False
    SpeedSwitchesHook(tf32=None).apply(Two())
    assert torch.backends.cudnn.allow_tf32 is False


def test_bad_tf32_names_what_is_wrong():
    with pytest.raises(TypeError, match=r"tf32 \(custom_hooks\).*got 'yes'"):
        SpeedSwitchesHook(tf32="yes")
    with pytest.raises(ValueError, match=r"tf32=True contradicts.*'highest'"):
        SpeedSwitchesHook(tf32=True, float32_matmul_precision="highest")
    with pytest.raises(ValueError, match=r"tf32=False contradicts.*'medium'"):
        SpeedSwitchesHook(tf32=False, float32_matmul_precision="medium")
    SpeedSwitchesHook(tf32=True, float32_matmul_precision="medium")  # consistent: accepted


@pytest.mark.parametrize("wrapper", ["OptimWrapper", "AutocastOptimWrapper"])
def test_fused_adamw_flag_trains_like_the_default_on_cpu(wrapper):
    """``optim_wrapper.optimizer.fused=True`` builds and steps on CPU, bf16 autocast too."""
    from mmengine.optim import build_optim_wrapper
    from mmengine.registry import init_default_scope

    init_default_scope("greenreg")
    x = torch.randn(8, 3, 6, 6, generator=torch.Generator().manual_seed(0))
    weights = {}
    for fused in (False, True):
        torch.manual_seed(0)
        model = Two()
        optimizer = dict(type="AdamW", lr=1e-2, fused=fused)
        cfg = dict(type=wrapper, optimizer=optimizer, clip_grad=dict(max_norm=1.0))
        optim_wrapper = build_optim_wrapper(model, cfg)
        assert optim_wrapper.optimizer.defaults["fused"] is fused
        for _ in range(3):
            with optim_wrapper.optim_context(model):
                loss = model.head(model.backbone(x)).square().mean()
            optim_wrapper.update_params(loss)
        weights[fused] = model.head.weight.detach().clone()
    assert torch.allclose(weights[True], weights[False], atol=1e-5)
