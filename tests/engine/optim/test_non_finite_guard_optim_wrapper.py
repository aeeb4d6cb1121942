"""NonFiniteGuardOptimWrapper with norm clipping: one norm pass, mmengine's results exactly."""

import math

import pytest
import torch
from mmengine.logging import MessageHub
from mmengine.optim import OptimWrapper
from torch import nn

from greenreg.engine.optim import NonFiniteGuardOptimWrapper


def model_pair():
    torch_gen = torch.Generator().manual_seed(0)
    a = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1))
    for p in a.parameters():
        p.data = torch.randn(p.shape, generator=torch_gen)
    b = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1))
    b.load_state_dict(a.state_dict())
    return a, b


@pytest.mark.parametrize("max_norm", [0.1, 1e6])  # clipping, and a bound never reached
def test_fused_check_and_clip_equal_mmengines_clip_bit_for_bit(max_norm):
    guarded, plain = model_pair()
    hub = MessageHub.get_instance("fused_clip_test")
    clip = dict(max_norm=max_norm)
    wrappers = [
        NonFiniteGuardOptimWrapper(
            optimizer=torch.optim.AdamW(guarded.parameters(), lr=0.1), clip_grad=clip
        ),
        OptimWrapper(optimizer=torch.optim.AdamW(plain.parameters(), lr=0.1), clip_grad=clip),
    ]
    x = torch.randn(16, 4, generator=torch.Generator().manual_seed(1))
    for _ in range(3):
        logged = []
        for model, wrapper in zip((guarded, plain), wrappers, strict=True):
            wrapper.message_hub = hub
            wrapper.update_params(model(x).square().sum() * 100)
            logged.append(hub.get_scalar("train/grad_norm").current())
        assert logged[0] == logged[1]
    for a, b in zip(guarded.parameters(), plain.parameters(), strict=True):
        assert torch.equal(a, b)


def test_fused_path_skips_a_non_finite_step_and_names_the_parameter():
    model, _ = model_pair()
    wrapper = NonFiniteGuardOptimWrapper(
        optimizer=torch.optim.AdamW(model.parameters(), lr=0.1), clip_grad=dict(max_norm=1.0)
    )
    before = [p.detach().clone() for p in model.parameters()]
    x = torch.ones(3, 4)
    x[0, 0] = math.inf
    wrapper.update_params(model(x).sum())
    assert wrapper.skipped_last_step and wrapper.non_finite_param is model[0].weight
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))
    assert not wrapper.optimizer.state
    wrapper.update_params(model(torch.ones(3, 4)).sum())
    assert not wrapper.skipped_last_step and wrapper.optimizer.state


def test_other_clipping_keeps_mmengines_path():
    model, _ = model_pair()
    wrapper = NonFiniteGuardOptimWrapper(
        optimizer=torch.optim.AdamW(model.parameters(), lr=0.1),
        clip_grad=dict(type="value", clip_value=0.01),
    )
    params = list(model.parameters())
    assert not wrapper._fuses_clip(params)
    wrapper.update_params(model(torch.ones(3, 4)).sum() * 100)
    assert not wrapper.skipped_last_step
