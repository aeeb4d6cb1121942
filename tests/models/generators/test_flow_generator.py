"""FlowGenerator: any target sampled by any solver reaches the data; every slot is pluggable."""

import pytest
import torch
from torch import nn

from greenreg.models.loss_terms import BaseLossTerm
from greenreg.registry import MODELS, PATHS, TARGETS
from greenreg.schedules import TrainProgress
from greenreg.solvers.reference_problems import GaussianDenoiser
from tests.conftest import tiny_config, tiny_ddpm_config

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


def build(path: dict, target: dict, solver: dict, time_grid: dict | None = None, **extra):
    MODELS.register_module(module=ExactGaussianBackbone, force=True)
    try:
        return MODELS.build(
            dict(
                type="FlowGenerator",
                backbone=dict(type="ExactGaussianBackbone", path=path, target=target),
                path=path,
                target=target,
                time_sampler=dict(type="UniformTimeSampler"),
                loss=dict(type="FlowMSELoss"),
                solver=solver,
                time_grid=time_grid,
                **extra,
            )
        ).eval()
    finally:
        MODELS.module_dict.pop("ExactGaussianBackbone")


def grid(num_steps: int, kind: str = "UniformTimeGrid") -> dict:
    return dict(type=kind, num_steps=num_steps)


CASES = [
    (
        dict(type="DDPMDiscretePath"),
        dict(type="EpsilonTarget"),
        dict(type="DDIMSampler"),
        grid(1000),
    ),
    (
        dict(type="DDPMDiscretePath"),
        dict(type="EpsilonTarget"),
        dict(type="HeunSolver"),
        grid(50, "LogSNRUniformTimeGrid"),
    ),
    (dict(type="VPCosinePath"), dict(type="VTarget"), dict(type="EulerSolver"), grid(100)),
    (
        dict(type="VPCosinePath"),
        dict(type="DataTarget"),
        dict(type="DDPMAncestralSampler"),
        grid(500),
    ),
    (dict(type="LinearPath"), dict(type="VelocityTarget"), dict(type="AdaptiveHeunSolver"), None),
    (
        dict(type="VPLinearPath"),
        dict(type="VTarget"),
        dict(type="RK4Solver"),
        grid(20, "LogSNRUniformTimeGrid"),
    ),
]


@pytest.mark.parametrize(
    "path, target, solver, time_grid",
    CASES,
    ids=["-".join(c["type"] for c in case[:3]) for case in CASES],
)
def test_any_target_through_any_sampler_reaches_the_data(path, target, solver, time_grid):
    model = build(path, target, solver, time_grid)
    samples = model.sample(dict(label=torch.zeros(4000, dtype=torch.long)))  # (4000, 1, 2, 2)
    assert samples.shape == (4000, 1, 2, 2)
    assert float(samples.mean()) == pytest.approx(MEAN, abs=0.02)
    assert float(samples.std()) == pytest.approx(SCALE, abs=0.02)


def test_rk4_on_a_uniform_grid_keeps_its_order_to_the_data_end():
    model = build(dict(type="VPLinearPath"), dict(type="VTarget"), dict(type="RK4Solver"), grid(20))
    samples = model.sample(dict(label=torch.zeros(4000, dtype=torch.long)))
    assert float(samples.std()) == pytest.approx(SCALE, abs=0.02)


def test_samples_do_not_depend_on_their_batch():
    model = build(*CASES[3])
    labels = torch.zeros(4, dtype=torch.long)
    four = model.sample(dict(label=labels), seeds=[7, 8, 9, 10])
    two = model.sample(dict(label=labels[:2]), seeds=[9, 10])
    torch.testing.assert_close(four[2:], two)


CLASSES = dict(
    type="ClassEmbeddingConditioner", num_classes=3, embed_dim=4, unconditional="average"
)


def test_guidance_evaluates_both_branches_only_when_it_guides():
    guided = build(
        *CASES[0], conditioning=CLASSES, guidance=dict(type="ClassifierFreeGuidance", scale=2.0)
    )
    guided.sample(dict(label=torch.tensor([0, 1, 2])))
    assert set(guided.backbone.batch_sizes) == {6}  # both branches in one call
    plain = build(
        *CASES[0], conditioning=CLASSES, guidance=dict(type="ClassifierFreeGuidance", scale=1.0)
    )
    plain.sample(dict(label=torch.tensor([0, 1, 2])))
    assert set(plain.backbone.batch_sizes) == {3}


def test_loss_is_a_finite_scalar_and_an_observer_sees_every_tensor():
    model = build(*CASES[0]).train()
    seen = []
    model.register_step_observer(seen.append)
    out = model(
        inputs=torch.rand(8, 1, 2, 2),
        label=torch.zeros(8, dtype=torch.long),
        progress=TrainProgress(0, 0),
    )
    assert set(out) == {"loss_flow"}
    assert out["loss_flow"].dim() == 0 and torch.isfinite(out["loss_flow"])
    (step,) = seen
    for name in ("x1", "t", "x0", "xt", "prediction", "target", "loss"):
        assert isinstance(step.get(name), torch.Tensor), name
    assert step.loss.shape == (8,)
    torch.testing.assert_close(step.loss.mean(), out["loss_flow"])
    torch.testing.assert_close(step.batch["label"], torch.zeros(8, dtype=torch.long))


def test_guidance_without_a_conditioning_is_refused():
    with pytest.raises(ValueError, match="model.conditioning"):
        build(*CASES[0], guidance=dict(type="ClassifierFreeGuidance", scale=2.0))


def test_eps_target_cannot_start_where_alpha_is_zero():
    model = build(dict(type="VPCosinePath"), dict(type="EpsilonTarget"), dict(type="EulerSolver"))
    with pytest.raises(ValueError, match="EpsilonTarget: cannot convert where alpha = 0"):
        model.sample(dict(label=torch.zeros(2, dtype=torch.long)))


# --- the real recipes, shrunk: the cross-modal flow (fm_gridquery) and class-conditional DDPM

SETUPS = dict(crossmodal=tiny_config, ddpm=tiny_ddpm_config)
SOLVERS = [
    dict(type="EulerSolver"),
    dict(type="HeunSolver"),
    dict(type="MidpointSolver"),
    dict(type="RK4Solver"),
    dict(type="AdaptiveHeunSolver"),
    dict(type="Dopri5Solver", rtol=1e-3, atol=1e-3),
    dict(type="DDIMSampler", eta=1.0),
    dict(type="DDPMAncestralSampler"),
]


def recipe(setup: str, tmp_path, **model):
    """The setup's model config (8x8 digits, a 1-block U-Net), with ``model`` merged in."""
    cfg = SETUPS[setup](str(tmp_path / "work")).model
    for key, value in model.items():
        cfg[key] = value  # replaced, not merged: a solver's keys are its own
    return cfg


def perturbed(model: nn.Module) -> nn.Module:
    """``model`` with random backbone weights: a zero-initialised output would hide NaNs."""
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for p in model.backbone.parameters():
            p.add_(0.05 * torch.randn(p.shape, generator=g))
    return model


def batch(size: int, seed: int = 0, images: bool = False) -> dict:
    g = torch.Generator().manual_seed(seed)
    out = dict(
        label=torch.randint(0, 10, (size,), generator=g),
        tokens=torch.randint(1, 35, (size, 6), generator=g),  # CaptionTokenizer's 35 ids
    )
    if images:
        out["inputs"] = torch.rand(size, 1, 8, 8, generator=g) * 2 - 1
    return out


@pytest.mark.parametrize("solver", SOLVERS, ids=lambda s: s["type"])
@pytest.mark.parametrize("setup", SETUPS)
def test_every_solver_samples_every_recipe(setup, solver, tmp_path):
    model = perturbed(MODELS.build(recipe(setup, tmp_path, solver=solver))).eval()
    samples = model.sample(batch(3), seeds=[1, 2, 3])
    assert samples.shape == (3, 1, 8, 8)
    assert bool(torch.isfinite(samples).all())
    assert samples.abs().max() <= 1 and samples.std() > 0
    again = model.sample(batch(3), seeds=[1, 2, 3])
    torch.testing.assert_close(samples, again)  # per-sample seeds fix every draw


@pytest.mark.parametrize("setup", SETUPS)
def test_predict_mode_returns_one_sample_per_seed(setup, tmp_path):
    model = MODELS.build(recipe(setup, tmp_path)).eval()
    b = batch(2)
    out = model(mode="predict", seed=torch.tensor([4, 5]), **b)
    assert [o["label"] for o in out] == b["label"].tolist()
    assert all(o["samples"].shape == (1, 8, 8) for o in out)


@pytest.mark.parametrize(
    "setup, target",
    [("crossmodal", "DataTarget"), ("crossmodal", "VelocityTarget"), ("ddpm", "DataTarget")],
)
def test_an_observer_sees_a_consistent_step_until_removed(setup, target, tmp_path):
    model = recipe(setup, tmp_path, target=dict(type=target))
    model = perturbed(MODELS.build(model)).train()
    seen = []
    handle = model.register_step_observer(seen.append)
    b = batch(4, images=True)
    model.loss(b, TrainProgress(iteration=2, images_seen=32))
    (step,) = seen
    c = step.coefficients
    torch.testing.assert_close(step.xt, c.alpha * step.x1 + c.sigma * step.x0)
    torch.testing.assert_close(step.x1, b["inputs"])  # independent coupling: pairs as drawn
    assert step.prediction.abs().max() > 0  # perturbed: the closed forms below are not 0 = 0
    assert step.x0.shape == step.x1.shape and step.t.shape == (4,)
    assert bool(((step.t >= 0) & (step.t <= 1)).all())
    assert step.progress == TrainProgress(2, 32)
    prediction = step.prediction.float()
    t = step.t.view(-1, 1, 1, 1)
    if setup == "crossmodal":
        assert set(step.source) == {"mu", "log_var"}
    if target == "VelocityTarget":  # LinearPath: u = x1 - x0, x1 = xt + (1 - t) u
        torch.testing.assert_close(step.target, step.x1 - step.x0)
        torch.testing.assert_close(step.x1_estimate, step.xt + (1 - t) * prediction)
    else:  # DataTarget: the backbone predicts x1 itself
        torch.testing.assert_close(step.target, step.x1)
        torch.testing.assert_close(step.x1_estimate, prediction)
    handle.remove()
    model.loss(b, TrainProgress(3, 48))
    assert len(seen) == 1


class SquaredDataLossTerm(BaseLossTerm):
    """mean(x1^2) per sample: a closed form to check the generator's bookkeeping against."""

    reads = ("x1",)
    calls = 0

    def forward(self, step):
        SquaredDataLossTerm.calls += 1
        return step.x1.flatten(1).pow(2).mean(1)


@pytest.mark.parametrize(
    "weight, progress, expected_weight",
    [
        ([(0, 0.0), (10, 1.0)], TrainProgress(iteration=4), 0.4),
        (
            dict(type="PiecewiseLinearSchedule", points=[(0, 0.0), (2, 1.0)], unit="kimg"),
            TrainProgress(iteration=1, images_seen=500),
            0.25,
        ),
        (3.0, TrainProgress(iteration=7), 3.0),
    ],
    ids=["iter", "kimg", "constant"],
)
@pytest.mark.parametrize("setup", SETUPS)
def test_a_user_loss_term_plugs_in_with_its_weight_schedule(
    setup, weight, progress, expected_weight, tmp_path, temporary_registration
):
    temporary_registration(MODELS, SquaredDataLossTerm)
    cfg = recipe(setup, tmp_path)
    cfg.loss_terms = dict(
        cfg.get("loss_terms") or {}, sq=dict(type="SquaredDataLossTerm", weight=weight)
    )
    model = MODELS.build(cfg).train()
    b = batch(4, images=True)
    out = model.loss(b, progress)
    expected = expected_weight * b["inputs"].pow(2).mean()
    torch.testing.assert_close(out["loss_sq"], expected)


@pytest.mark.parametrize("setup", SETUPS)
def test_a_term_at_weight_zero_is_skipped_and_costs_nothing(
    setup, tmp_path, temporary_registration
):
    temporary_registration(MODELS, SquaredDataLossTerm)
    cfg = recipe(setup, tmp_path)
    window = [(0, 0.0), (5, 0.0), (6, 1.0)]
    cfg.loss_terms = dict(
        cfg.get("loss_terms") or {}, sq=dict(type="SquaredDataLossTerm", weight=window)
    )
    model = MODELS.build(cfg).train()
    SquaredDataLossTerm.calls = 0
    out = model.loss(batch(4, images=True), TrainProgress(iteration=5))
    assert "loss_sq" not in out and "loss_flow" in out
    assert SquaredDataLossTerm.calls == 0
    if setup == "crossmodal":  # tiny_config ramps kl from 0 at iteration 0
        assert "loss_kl" not in model.loss(batch(4, images=True), TrainProgress(0))
    assert "loss_sq" in model.loss(batch(4, images=True), TrainProgress(iteration=6))


def test_mapped_term_on_an_unknown_step_field_names_it(tmp_path):
    cfg = recipe("ddpm", tmp_path)
    cfg.loss_terms = dict(
        tv=dict(type="MappedLossTerm", loss=dict(type="TotalVariationLoss"), inputs=["x_zero"])
    )
    with pytest.raises(KeyError, match="x_zero"):
        MODELS.build(cfg)


def test_mapped_term_on_an_unknown_source_entry_names_it(tmp_path):
    cfg = recipe("crossmodal", tmp_path)
    cfg.loss_terms.kl.update(inputs=["source.mean", "source.log_var"], weight=1.0)
    model = MODELS.build(cfg).train()
    with pytest.raises(KeyError, match=r"source\.mean.*source\.log_var.*source\.mu"):
        model.loss(batch(4, images=True), TrainProgress(0))


def test_loss_mode_without_progress_asks_for_the_hook(tmp_path):
    model = MODELS.build(recipe("ddpm", tmp_path))
    b = batch(2, images=True)
    with pytest.raises(ValueError, match="TrainProgressHook"):
        model(mode="loss", **b)


def test_loss_mode_without_inputs_and_an_unknown_mode_are_refused(tmp_path):
    model = MODELS.build(recipe("ddpm", tmp_path))
    with pytest.raises(ValueError, match="needs `inputs`"):
        model(mode="loss", label=torch.zeros(2, dtype=torch.long), progress=TrainProgress(0))
    with pytest.raises(ValueError, match="mode must be 'loss' or 'predict', got 'tensor'"):
        model(mode="tensor")


def test_a_batch_without_the_conditioning_key_names_it(tmp_path):
    model = MODELS.build(recipe("ddpm", tmp_path)).eval()
    with pytest.raises(KeyError, match=r"model.conditioning.key.*no 'label'.*\['tokens'\]"):
        model.sample(dict(tokens=torch.ones(2, 3, dtype=torch.long)), seeds=[1, 2])


def test_guidance_that_needs_an_objective_is_refused_at_build(tmp_path):
    cfg = recipe("ddpm", tmp_path, guidance=dict(type="ObjectiveGradientGuidance", scale=1.0))
    with pytest.raises(ValueError, match=r"model\.guidance.*sample\(batch, guide"):
        MODELS.build(cfg)


def test_a_sampling_time_guide_wraps_the_configured_model(tmp_path):
    from greenreg.solvers import GaussianObservationObjective, ObjectiveGradientGuidance

    model = perturbed(MODELS.build(recipe("ddpm", tmp_path))).eval()
    labels = dict(label=torch.tensor([1, 2]))
    wrapped = []

    def guide(inner):
        wrapped.append(type(inner).__name__)  # the CFG-guided model of the config
        objective = GaussianObservationObjective(torch.zeros(2, 64), noise_std=0.1)
        return ObjectiveGradientGuidance(scale=1.0).wrap(inner, objective)

    guided = model.sample(labels, seeds=[1, 2], guide=guide)
    plain = model.sample(labels, seeds=[1, 2])
    assert wrapped == ["GuidedModelFn"]
    assert guided.shape == plain.shape and torch.isfinite(guided).all()
    assert not torch.equal(guided, plain)
