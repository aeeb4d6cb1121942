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
