"""IsoNextBackbone and its shared, fp32 AdaGN."""

import pytest
import torch

from greenreg.models.layers.shared_adagn import modulated_group_norm
from greenreg.registry import MODELS

BACKBONE = dict(type="IsoNextBackbone", base_channels=8, num_layers=6, groups=4)


def _inputs(g):
    return torch.randn(3, 1, 16, 16, generator=g), torch.rand(3, generator=g)


def test_sharing_the_adagn_mlp_shares_the_modulation_and_saves_parameters():
    shared = MODELS.build(dict(BACKBONE, image_size=16, share_adagn_every=3))
    unshared = MODELS.build(dict(BACKBONE, image_size=16, share_adagn_every=1))
    assert len(shared.stack_mods) == 2 and len(unshared.stack_mods) == 6
    assert sum(p.numel() for p in shared.parameters()) < sum(
        p.numel() for p in unshared.parameters()
    )
    calls = []
    for mod in shared.stack_mods:
        mod.register_forward_hook(lambda m, i, o: calls.append(m))
    g = torch.Generator().manual_seed(0)
    out = shared(*_inputs(g), torch.randn(3, 32, generator=g))
    assert out.shape == (3, 1, 16, 16) and len(calls) == 2  # one MLP call per group of 3


def test_the_untrained_network_predicts_zero_and_then_learns():
    net = MODELS.build(dict(BACKBONE, image_size=16))
    g = torch.Generator().manual_seed(1)
    xt, t = _inputs(g)
    assert torch.equal(net(xt, t), torch.zeros_like(xt))
    target = torch.randn(3, 1, 16, 16, generator=g)
    opt = torch.optim.Adam(net.parameters(), lr=3e-3)
    losses = []
    for _ in range(30):
        loss = (net(xt, t) - target).square().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss))
    assert losses[-1] < 0.5 * losses[0]


def test_checkpointing_gives_the_same_gradients():
    plain = MODELS.build(dict(BACKBONE, image_size=16))
    with torch.no_grad():  # non-zero output layer and modulations so gradients flow
        for p in plain.parameters():
            p.add_(0.05 * torch.randn_like(p))
    ckpt = MODELS.build(dict(BACKBONE, image_size=16, use_checkpoint=True))
    ckpt.load_state_dict(plain.state_dict())
    g = torch.Generator().manual_seed(2)
    xt, t = _inputs(g)
    cond = torch.randn(3, 32, generator=g)
    grads = []
    for net in (plain, ckpt):
        net.train()
        net(xt, t, cond).square().mean().backward()
        grads.append(net.stack[0].conv1.weight.grad.clone())
    torch.testing.assert_close(grads[0], grads[1])


def test_fp32_adagn_keeps_the_statistics_that_bf16_loses():
    g = torch.Generator().manual_seed(3)
    # activations far from zero: in bf16 (8-bit mantissa) x - mean loses most of its digits
    x = (4 + 0.3 * torch.randn(2, 8, 16, 16, generator=g)).bfloat16()
    zero = torch.zeros(2, 8, 1, 1)
    reference = torch.nn.functional.group_norm(x.double(), 4, eps=1e-6)
    fp32 = modulated_group_norm(x, zero, zero, 4, use_fp32=True).double()
    bf16 = modulated_group_norm(x, zero, zero, 4, use_fp32=False).double()
    assert (fp32 - reference).abs().mean() < 0.1 * (bf16 - reference).abs().mean()


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="share_adagn_every"):
        MODELS.build(dict(BACKBONE, share_adagn_every=0))
    with pytest.raises(ValueError, match="image_size.*even"):
        MODELS.build(dict(BACKBONE, image_size=15))
    net = MODELS.build(dict(BACKBONE, image_size=16))
    with pytest.raises(ValueError, match=r"\(B, 32\)"):
        net(*_inputs(torch.Generator().manual_seed(0)), torch.zeros(3, 7))
