"""DiffusionGenerator: any target sampled by any solver reaches the data distribution."""

import pytest
import torch
from torch import nn

from greenreg.registry import MODELS, PATHS, TARGETS
from greenreg.solvers.reference_problems import GaussianDenoiser

MEAN, SCALE = 0.5, 0.3


class ExactGaussianBackbone(nn.Module):
    """Predicts, in the given target's terms, the exact denoiser of N(MEAN, SCALE^2) data."""

    in_channels, image_size = 1, 2

    def __init__(self, path: dict, target: dict) -> None:
        super().__init__()
        self.path, self.target = PATHS.build(path), TARGETS.build(target)
        self.weight = nn.Parameter(torch.zeros(()))  # a parameter, so the model has a device
        self.batch_sizes = []

    def forward(self, xt, t, cond=None):
        self.batch_sizes.append(len(xt))
        x = xt.double()
        # eps = (x - alpha x1) / sigma is 0 / 0 at sigma = 0; the limit is what a net learns
        t = t.double().clamp(max=1 - 1e-9)
        denoised = GaussianDenoiser(self.path, MEAN, SCALE)(x, t)
        c = self.path.coefficients(t).expand_like(x)
        return self.target.from_denoised(denoised, c).float()


def build(path: dict, target: dict, solver: dict, **extra) -> nn.Module:
    MODELS.register_module(module=ExactGaussianBackbone, force=True)
    try:
        return MODELS.build(
            dict(
                type="DiffusionGenerator",
                backbone=dict(type="ExactGaussianBackbone", path=path, target=target),
                path=path,
                target=target,
                time_sampler=dict(type="UniformTimeSampler"),
                loss=dict(type="FlowMSELoss"),
                solver=solver,
                **extra,
            )
        ).eval()
    finally:
        MODELS.module_dict.pop("ExactGaussianBackbone")


CASES = [
    (
        dict(type="DDPMDiscretePath"),
        dict(type="EpsilonTarget"),
        dict(type="DDIMSampler", num_steps=1000),
    ),
    (
        dict(type="DDPMDiscretePath"),
        dict(type="EpsilonTarget"),
        dict(type="HeunSolver", num_steps=50),
    ),
    (dict(type="VPCosinePath"), dict(type="VTarget"), dict(type="EulerSolver", num_steps=100)),
    (
        dict(type="VPCosinePath"),
        dict(type="DataTarget"),
        dict(type="DDPMAncestralSampler", num_steps=500),
    ),
    (dict(type="LinearPath"), dict(type="VelocityTarget"), dict(type="AdaptiveHeunSolver")),
    (dict(type="VPLinearPath"), dict(type="VTarget"), dict(type="RK4Solver", num_steps=20)),
]


@pytest.mark.parametrize("path, target, solver", CASES, ids=lambda c: c["type"])
def test_any_target_through_any_sampler_reaches_the_data(path, target, solver):
    model = build(path, target, solver)
    samples = model.sample(torch.zeros(4000, dtype=torch.long))  # (4000, 1, 2, 2)
    assert float(samples.mean()) == pytest.approx(MEAN, abs=0.02)
    assert float(samples.std()) == pytest.approx(SCALE, abs=0.02)


def test_samples_do_not_depend_on_their_batch():
    model = build(*CASES[3])
    labels = torch.zeros(4, dtype=torch.long)
    four = model.sample(labels, seeds=[7, 8, 9, 10])
    two = model.sample(labels[:2], seeds=[9, 10])
    torch.testing.assert_close(four[2:], two)


def test_guidance_evaluates_both_branches_only_when_it_guides():
    cond = dict(
        type="ClassEmbeddingConditioner", num_classes=3, embed_dim=4, unconditional="average"
    )
    guided = build(
        *CASES[0], conditioner=cond, guidance=dict(type="ClassifierFreeGuidance", scale=2.0)
    )
    guided.sample(torch.tensor([0, 1, 2]))
    assert set(guided.backbone.batch_sizes) == {6}  # both branches in one call
    plain = build(
        *CASES[0], conditioner=cond, guidance=dict(type="ClassifierFreeGuidance", scale=1.0)
    )
    plain.sample(torch.tensor([0, 1, 2]))
    assert set(plain.backbone.batch_sizes) == {3}


def test_loss_is_a_finite_scalar_and_probe_sees_every_tensor():
    model = build(*CASES[0]).train()
    seen = {}
    model.tensor_probe = seen.update
    out = model(inputs=torch.rand(8, 1, 2, 2), label=torch.zeros(8, dtype=torch.long))
    assert out["loss"].dim() == 0 and torch.isfinite(out["loss"])
    assert set(seen) == {"x1", "t", "noise", "xt", "prediction", "target", "loss"}


def test_guidance_without_a_conditioner_is_refused():
    with pytest.raises(ValueError, match="model.conditioner"):
        build(*CASES[0], guidance=dict(type="ClassifierFreeGuidance", scale=2.0))


def test_eps_target_cannot_start_where_alpha_is_zero():
    model = build(dict(type="VPCosinePath"), dict(type="EpsilonTarget"), dict(type="EulerSolver"))
    with pytest.raises(ValueError, match="EpsilonTarget: cannot convert where alpha = 0"):
        model.sample(torch.zeros(2, dtype=torch.long))
