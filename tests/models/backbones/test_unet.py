"""UNetBackbone: builds from config, starts at zero, conditions reach it, errors name keys."""

import pytest
import torch

from greenreg.registry import MODELS

SMALL = dict(
    type="UNetBackbone",
    in_channels=1,
    image_size=16,
    base_channels=16,
    channel_mults=(1, 2),
    num_res_blocks=1,
    attention_resolutions=(8,),
    groups=8,
)


def build(**overrides):
    return MODELS.build({**SMALL, **overrides})


def test_untrained_unet_predicts_zero_and_every_parameter_gets_a_gradient():
    net = build()
    x, t = torch.randn(3, 1, 16, 16), torch.rand(3)
    assert torch.equal(net(x, t), torch.zeros(3, 1, 16, 16))
    # zero-initialised output and residual branches: each SGD step opens one more layer
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    for _ in range(4):
        opt.zero_grad()
        net(x, t).square().mean().add(-net(x, t).mean()).backward()
        opt.step()
    no_grad = [n for n, p in net.named_parameters() if p.grad is None or not p.grad.abs().sum()]
    assert no_grad == []


def test_time_and_vector_condition_change_the_output():
    torch.manual_seed(0)
    net = build(cond_dim=5)
    for p in net.parameters():  # leave the zero init: every branch must carry signal
        torch.nn.init.normal_(p, std=0.05)
    x = torch.randn(2, 1, 16, 16)
    t = torch.full((2,), 0.3)
    cond = torch.randn(2, 5)
    base = net(x, t, cond)
    assert not torch.allclose(base, net(x, t + 0.4, cond))
    assert not torch.allclose(base, net(x, t, cond + 1))


def test_cross_attention_reads_condition_tokens():
    torch.manual_seed(0)
    net = build(context_dim=6)
    for p in net.parameters():
        torch.nn.init.normal_(p, std=0.05)
    x, t = torch.randn(2, 1, 16, 16), torch.rand(2)
    tokens = torch.randn(2, 4, 6)
    assert not torch.allclose(net(x, t, tokens), net(x, t, tokens.flip(0)))
    with pytest.raises(ValueError, match=r"\(B, L, 6\)"):
        net(x, t, None)


def test_separate_out_channels_and_checkpointing_give_the_same_gradient():
    torch.manual_seed(0)
    plain = build(in_channels=3, out_channels=1, dropout=0.0)
    ckpt = build(in_channels=3, out_channels=1, use_checkpoint=True)
    ckpt.load_state_dict(plain.state_dict())
    for p in plain.parameters():
        torch.nn.init.normal_(p, std=0.05)
    ckpt.load_state_dict(plain.state_dict())
    x, t = torch.randn(2, 3, 16, 16, requires_grad=True), torch.rand(2)
    grads = []
    for net in (plain, ckpt):
        x.grad = None
        out = net(x, t)
        assert out.shape == (2, 1, 16, 16)
        out.square().sum().backward()
        grads.append(x.grad.clone())
    torch.testing.assert_close(grads[0], grads[1])


def test_channels_last_gives_the_same_prediction_and_loads_plain_weights():
    torch.manual_seed(0)
    plain = build(cond_dim=5)
    for p in plain.parameters():
        torch.nn.init.normal_(p, std=0.05)
    nhwc = build(cond_dim=5, use_channels_last=True)
    nhwc.load_state_dict(plain.state_dict())
    assert nhwc.in_conv.weight.is_contiguous(memory_format=torch.channels_last)
    x, t, cond = torch.randn(2, 1, 16, 16), torch.rand(2), torch.randn(2, 5)
    out = nhwc(x, t, cond)
    assert out.is_contiguous()
    torch.testing.assert_close(out, plain(x, t, cond), atol=1e-5, rtol=1e-4)


def test_bf16_autocast_keeps_norm_statistics_in_fp32():
    torch.manual_seed(0)
    net = build()
    for p in net.parameters():
        torch.nn.init.normal_(p, std=0.05)
    x, t = torch.randn(2, 1, 16, 16), torch.rand(2)
    ref = net(x, t)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out = net(x, t)
    assert out.dtype == torch.float32  # the output layer's norm runs in fp32
    assert (out - ref).abs().max() < 0.05 * ref.abs().max()


def test_patches_fold_pixel_blocks_into_channels_and_back():
    torch.manual_seed(0)
    net = build(patch_size=2, attention_resolutions=(4,))
    for p in net.parameters():
        torch.nn.init.normal_(p, std=0.05)
    seen = {}
    net.in_conv.register_forward_pre_hook(lambda m, args: seen.update(stem=args[0]))
    net.out[-1].register_forward_hook(lambda m, args, out: seen.update(head=out))
    x, t = torch.randn(2, 1, 16, 16), torch.rand(2)
    out = net(x, t)
    # the network runs on (B, 4, 8, 8) blocks; its 4 output channels unfold to (B, 1, 16, 16)
    assert torch.equal(seen["stem"], torch.nn.functional.pixel_unshuffle(x, 2))
    assert seen["head"].shape == (2, 4, 8, 8)
    assert torch.equal(out, torch.nn.functional.pixel_shuffle(seen["head"], 2))


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        (dict(image_size=18, channel_mults=(1, 2, 2)), "model.backbone.image_size"),
        (dict(channel_mults=()), "model.backbone.channel_mults"),
        (dict(dropout=1.0), "model.backbone.dropout"),
        (dict(patch_size=3), "expected a multiple of 6"),
        (dict(base_channels=12), "groups must divide"),
    ],
)
def test_bad_config_names_the_key(overrides, match):
    with pytest.raises(ValueError, match=match):
        build(**overrides)


def test_condition_of_the_wrong_width_is_refused():
    net = build()
    with pytest.raises(ValueError, match="cond_dim"):
        net(torch.randn(2, 1, 16, 16), torch.rand(2), torch.randn(2, 7))
