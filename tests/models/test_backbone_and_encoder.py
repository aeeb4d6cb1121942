import pytest
import torch

from greenreg.registry import MODELS


def test_dit_starts_as_zero_velocity_and_learns_through_every_parameter():
    net = MODELS.build(
        dict(type="DiTBackbone", image_size=8, patch_size=4, width=32, depth=2, num_heads=2)
    )
    x, t = torch.randn(3, 1, 8, 8), torch.rand(3)
    out = net(x, t)
    assert out.shape == x.shape
    assert torch.count_nonzero(out) == 0  # zero-initialised output layer
    # zero-initialised gates open one layer per SGD step: after a few, every parameter learns
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    for _ in range(4):
        opt.zero_grad()
        (net(x, t) - x).pow(2).mean().backward()
        opt.step()
    no_grad = [n for n, p in net.named_parameters() if p.grad is None or not p.grad.abs().sum()]
    assert no_grad == []


def test_dit_depends_on_time():
    net = MODELS.build(
        dict(type="DiTBackbone", image_size=8, patch_size=4, width=32, depth=1, num_heads=2)
    )
    for p in net.parameters():
        torch.nn.init.normal_(p, std=0.1)
    x = torch.randn(1, 1, 8, 8).repeat(2, 1, 1, 1)
    out = net(x, torch.tensor([0.1, 0.9]))
    assert not torch.allclose(out[0], out[1])


def test_dit_rejects_a_patch_size_that_does_not_divide_the_image():
    with pytest.raises(ValueError, match="patch_size"):
        MODELS.build(dict(type="DiTBackbone", image_size=10, patch_size=4))


def test_text_encoder_masks_padding_and_pools_real_tokens_only():
    enc = MODELS.build(dict(type="TransformerTextEncoder", vocab_size=10, width=16, depth=1)).eval()
    tokens = torch.tensor([[3, 4, 0, 0], [3, 4, 5, 0]])
    out = enc(tokens)
    assert out.tokens.shape == (2, 4, 16)
    assert out.mask.tolist() == [[True, True, False, False], [True, True, True, False]]
    manual = out.tokens[0, :2].mean(0)
    torch.testing.assert_close(out.pooled()[0], manual)
    with pytest.raises(ValueError, match="token ids must lie"):
        enc(torch.tensor([[3, 12]]))


def test_generator_refuses_a_source_shape_the_backbone_cannot_take(tiny_cfg):
    cfg = tiny_cfg()
    cfg.model.source.conditioner.latent_shape = (1, 16, 16)
    with pytest.raises(ValueError, match=r"model.source.*expected \(1, 8, 8\), got \(1, 16, 16\)"):
        MODELS.build(cfg.model)
