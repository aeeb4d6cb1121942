"""The Latent Green Operator, its loss term and guidance, and the concat + adaLN conditioning."""

import pytest
import torch

from greenreg.registry import MODELS
from greenreg.schedules import TrainProgress

LGO = dict(type="LatentGreenOperator", latent_channels=1, ldos_channels=2, factor=1, width=8,
           num_res_blocks=1, groups=4)  # fmt: skip


def generator(consistency_weight=0.1, guidance_scale=0.0):
    """An 8x8 flow conditioned on 2 maps, concat + adaLN, with an LGO term."""
    torch.manual_seed(0)
    return MODELS.build(
        dict(
            type="FlowGenerator",
            conditioning=dict(type="ConcatAdaLNConditioner", key="ldos", channels=2, factor=1,
                              concat_channels=3, embed_dim=16, hidden_channels=8),
            backbone=dict(type="DiTBackbone", in_channels=4, out_channels=1, image_size=8,
                          patch_size=2, width=16, depth=1, num_heads=2),
            path=dict(type="VPCosinePath"),
            target=dict(type="VTarget"),
            time_sampler=dict(type="UniformTimeSampler"),
            loss_terms=dict(lgo=dict(type="LatentGreenOperatorLoss", operator=LGO,
                                     consistency_weight=consistency_weight,
                                     guidance_scale=guidance_scale)),
            time_grid=dict(type="UniformTimeGrid", num_steps=4),
        )
    )  # fmt: skip


def batch(seed=0):
    g = torch.Generator().manual_seed(seed)
    return dict(
        inputs=torch.randn(6, 1, 8, 8, generator=g), ldos=torch.rand(6, 2, 8, 8, generator=g)
    )


def test_operator_shapes_and_bad_factor():
    op = MODELS.build(dict(LGO, factor=4, latent_channels=3))
    assert op(torch.zeros(2, 3, 4, 4), torch.rand(2)).shape == (2, 2, 16, 16)
    with pytest.raises(ValueError, match="factor"):
        MODELS.build(dict(LGO, factor=0))


def test_multiscale_loss_sees_what_each_scale_sees():
    loss = MODELS.build(dict(type="MultiScaleMSELoss", scales=(1, 2)))
    target = torch.zeros(1, 1, 4, 4)
    checker = (torch.arange(4)[:, None] + torch.arange(4)[None]) % 2 * 2.0 - 1.0  # +-1
    # a checkerboard error averages out over 2x2 cells: full scale sees 1, half scale 0
    assert torch.allclose(loss(checker[None, None], target), torch.tensor([0.5]))
    offset = torch.full((1, 1, 4, 4), 0.5)  # a constant error is seen at every scale
    assert torch.allclose(loss(offset, target), torch.tensor([0.25]))
    with pytest.raises(ValueError, match="scales"):
        MODELS.build(dict(type="MultiScaleMSELoss", scales=(0,)))


def grads(model, b):
    model.zero_grad()
    losses = model.loss(b, TrainProgress(0))
    losses["loss_lgo"].backward()
    op = model.loss_terms["lgo"].operator
    return (
        torch.cat([p.grad.flatten() for p in op.parameters()]),
        sum(float(p.grad.abs().sum()) for p in model.backbone.parameters() if p.grad is not None),
    )


def test_fit_trains_the_operator_and_consistency_trains_only_the_denoiser():
    op_on, backbone_on = grads(generator(consistency_weight=1.0), batch())
    op_off, backbone_off = grads(generator(consistency_weight=0.0), batch())
    # the consistency part passes through a detached copy of the operator's weights
    assert torch.allclose(op_on, op_off, atol=1e-7) and op_on.abs().sum() > 0
    # and reaches the backbone through x1_hat; the fit part never does (x_t is data + noise)
    assert backbone_off == 0 and backbone_on > 0


def test_lgo_guidance_pulls_samples_towards_the_measured_maps():
    plain, guided = generator(), generator(guidance_scale=1.0)
    guided.load_state_dict(plain.state_dict())
    b = batch(1)
    term = plain.loss_terms["lgo"]
    objective = term.objective(b["ldos"])
    x_plain = plain.sample(dict(ldos=b["ldos"]), seeds=list(range(6)))
    x_guided = guided.sample(dict(ldos=b["ldos"]), seeds=list(range(6)))
    assert not torch.allclose(x_plain, x_guided)
    with torch.no_grad():
        assert float(objective(x_guided, None).mean()) > float(objective(x_plain, None).mean())


def test_concat_adaln_conditioner_folds_maps_and_checks_them():
    cond = MODELS.build(dict(type="ConcatAdaLNConditioner", channels=2, factor=4,
                             concat_channels=5, embed_dim=12))  # fmt: skip
    maps = torch.rand(3, 2, 16, 16)
    features = cond(maps)
    assert features.shape == (3, 5, 4, 4) and cond.embedding(features).shape == (3, 12)
    with pytest.raises(ValueError, match=r"expected maps of shape \(B, 2, H, W\)"):
        cond(torch.rand(3, 3, 16, 16))
    with pytest.raises(ValueError, match="multiple of 4"):
        cond(torch.rand(3, 2, 18, 18))
    with pytest.raises(ValueError, match="guidance_scale"):
        MODELS.build(dict(type="LatentGreenOperatorLoss", operator=LGO, guidance_scale=-1))


def test_direct_regression_trains_and_predicts_from_the_maps():
    model = MODELS.build(
        dict(type="DirectRegressionModel", key="ldos",
             network=dict(type="DiTBackbone", in_channels=2, out_channels=1, image_size=8,
                          patch_size=2, width=16, depth=1, num_heads=2))
    )  # fmt: skip
    b = batch()
    assert set(model(**b)) == {"loss_regression"}
    out = model(mode="predict", **b)
    assert len(out) == 6 and out[0]["samples"].shape == (1, 8, 8)
    with pytest.raises(KeyError, match="model.key"):
        model(inputs=b["inputs"])
