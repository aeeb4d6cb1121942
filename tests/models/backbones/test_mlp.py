"""MLPBackbone: builds from config, reads t and the condition, trains a 2-D flow."""

import pytest
import torch

from greenreg.datasets import sample_toy_2d
from greenreg.registry import MODELS
from greenreg.schedules import TrainProgress


def build(**overrides):
    return MODELS.build(dict(type="MLPBackbone", dim=2, **overrides))


def test_builds_from_config_with_the_data_width_as_channels():
    net = build(width=32, num_layers=2)
    assert net.in_channels == net.out_channels == 2
    out = net(torch.randn(5, 2), torch.rand(5))
    assert out.shape == (5, 2) and out.dtype == torch.float32
    linears = [m for m in net.modules() if isinstance(m, torch.nn.Linear)]
    assert [m.in_features for m in linears] == [3, 32, 32]  # x_t and t, hidden, output


def test_time_and_condition_change_the_output():
    torch.manual_seed(0)
    net = build(cond_dim=4)
    x, t, cond = torch.randn(3, 2), torch.full((3,), 0.2), torch.randn(3, 4)
    base = net(x, t, cond)
    assert not torch.allclose(base, net(x, t + 0.5, cond))
    assert not torch.allclose(base, net(x, t, cond + 1))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(width=0), r"MLPBackbone.width \(model.backbone.width\): .*got 0"),
        (dict(num_layers=0), r"MLPBackbone.num_layers .*got 0"),
        (dict(cond_dim=0), r"MLPBackbone.cond_dim .*got 0"),
        (dict(activation="relu"), r"MLPBackbone.activation .*'selu'.*got 'relu'"),
    ],
)
def test_bad_configs_are_refused_naming_the_key(kwargs, match):
    with pytest.raises(ValueError, match=match):
        build(**kwargs)


def test_a_condition_the_config_does_not_expect_is_refused():
    x, t = torch.randn(2, 2), torch.rand(2)
    with pytest.raises(ValueError, match=r"cond_dim.*\(2, 4\).*cond_dim=None"):
        build()(x, t, torch.randn(2, 4))
    with pytest.raises(ValueError, match=r"cond_dim.*\(2, 3\).*cond_dim=4"):
        build(cond_dim=4)(x, t, torch.randn(2, 3))


def flow_generator(**extra):
    return MODELS.build(
        dict(
            type="FlowGenerator",
            backbone=dict(type="MLPBackbone", dim=2),
            path=dict(type="LinearPath"),
            target=dict(type="VelocityTarget"),
            time_sampler=dict(type="UniformTimeSampler"),
            **extra,
        )
    )


def test_flow_generator_needs_the_sample_shape_and_then_learns_a_2d_flow():
    with pytest.raises(ValueError, match="sample_shape"):
        flow_generator()  # no image size to read (C, H, W) from
    torch.manual_seed(0)
    model = flow_generator(sample_shape=(2,))
    draws = torch.Generator().manual_seed(0)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for it in range(100):
        batch = dict(inputs=sample_toy_2d("8gaussians", 256, draws))
        loss = model.loss(batch, TrainProgress(it))["loss_flow"]
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(float(loss.detach()))
    # the per-element loss at v = 0 is E|x1 - x0|^2 / 2 = (25 + 2 sqrt(0.1) + 2) / 2 ~ 13.8;
    # the pairs are independent, so it cannot reach 0 (100 steps bring it to ~ 6)
    assert 12 < losses[0] < 15.5
    assert sum(losses[-10:]) / 10 < 0.6 * losses[0]
