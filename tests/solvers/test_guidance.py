"""Classifier-free guidance: the combination rule and its decay schedules."""

import pytest
import torch

from greenreg.paths import LinearPath
from greenreg.registry import GUIDANCE, MODELS
from greenreg.solvers import ModelFn
from greenreg.targets import VelocityTarget


@pytest.mark.parametrize("decay, at_half", [("constant", 3.0), ("linear", 2.0), ("cosine", 2.0)])
def test_scale_decays_from_the_full_scale_at_noise_to_its_end_value(decay, at_half):
    cfg = GUIDANCE.build(dict(type="ClassifierFreeGuidance", scale=3.0, decay=decay))
    assert cfg.scale_at(0.0) == pytest.approx(3.0)
    assert cfg.scale_at(0.5) == pytest.approx(at_half)
    assert cfg.scale_at(1.0) == pytest.approx(3.0 if decay == "constant" else 1.0)


def test_combination_extrapolates_from_the_unconditional_prediction():
    cfg = GUIDANCE.build(dict(type="ClassifierFreeGuidance", scale=4.0))
    cond, uncond = torch.tensor([1.0, 2.0]), torch.tensor([0.0, 1.0])
    torch.testing.assert_close(cfg(cond, uncond, 0.3), torch.tensor([4.0, 5.0]))


@pytest.mark.parametrize(
    "kwargs, match", [(dict(scale=0.5), "scale"), (dict(decay="exponential"), "decay")]
)
def test_bad_guidance_arguments_name_themselves(kwargs, match):
    with pytest.raises(ValueError, match=match):
        GUIDANCE.build(dict(type="ClassifierFreeGuidance", **kwargs))


def test_class_embedding_drops_labels_and_offers_both_unconditional_branches():
    null = MODELS.build(
        dict(type="ClassEmbeddingConditioner", num_classes=4, embed_dim=3, drop_prob=0.5)
    )
    g = torch.Generator().manual_seed(0)
    emb = null(torch.zeros(4000, dtype=torch.long), generator=g)
    dropped = (emb == null.embedding.weight[4]).all(1).float().mean()
    assert float(dropped) == pytest.approx(0.5, abs=0.03)
    torch.testing.assert_close(null.unconditional_embedding(2)[0], null.embedding.weight[4])
    average = MODELS.build(
        dict(type="ClassEmbeddingConditioner", num_classes=4, embed_dim=3, unconditional="average")
    )
    torch.testing.assert_close(
        average.unconditional_embedding(1)[0], average.embedding.weight[:4].mean(0)
    )
    null.eval()
    torch.testing.assert_close(null(torch.tensor([2])), null.embedding.weight[2:3])
    with pytest.raises(ValueError, match=r"labels must be integers in \[0, 4\)"):
        null(torch.tensor([4]))


@pytest.mark.parametrize("init_std", [0.02, 1.0])
def test_class_embedding_initialises_at_its_std_and_refuses_a_non_positive_one(init_std):
    torch.manual_seed(0)
    conditioner = MODELS.build(
        dict(type="ClassEmbeddingConditioner", num_classes=99, embed_dim=100, init_std=init_std)
    )
    assert float(conditioner.embedding.weight.std()) == pytest.approx(init_std, rel=0.05)
    with pytest.raises(ValueError, match=r"init_std.*expected a float > 0, got 0"):
        MODELS.build(dict(type="ClassEmbeddingConditioner", init_std=0))


def guided_linear_model(decay: str, calls: list):
    """A network x + cond on the linear path, guided with scale 3; records batch sizes."""

    def network(x, t, cond):
        calls.append(x.shape[0])
        return x + cond

    x = torch.full((4, 2), 1 + 1e-12, dtype=torch.float64)  # below float32 resolution
    cond, uncond = torch.ones(4, 1, dtype=torch.float64), torch.zeros(4, 1, dtype=torch.float64)
    model = ModelFn(network, LinearPath(), VelocityTarget(), cond=cond, uncond=uncond)
    guidance = GUIDANCE.build(dict(type="ClassifierFreeGuidance", scale=3.0, decay=decay))
    return guidance.wrap(model), x


@pytest.mark.parametrize("decay", ["constant", "linear"])
def test_wrapped_model_batches_both_branches_into_one_call_per_nfe(decay):
    calls = []
    guided, x = guided_linear_model(decay, calls)
    t = torch.full((4,), 0.25, dtype=torch.float64)
    w = guided.guidance.scale_at(0.25)
    # uncond + w (cond - uncond) = x + w, kept in float64
    out = guided.velocity(x, t)
    assert out.dtype == torch.float64 and calls == [8] and guided.nfe == 1
    torch.testing.assert_close(out, x + w, rtol=0, atol=1e-14)


def test_no_second_branch_where_the_decayed_scale_is_one():
    calls = []
    guided, x = guided_linear_model("linear", calls)
    out = guided.velocity(x, torch.ones(4, dtype=torch.float64))  # w(1) = 1: cond alone
    assert calls == [4]
    torch.testing.assert_close(out, x + 1, rtol=0, atol=1e-14)


def test_guidance_needs_an_unconditional_branch():
    model = ModelFn(lambda x, t, cond: x, LinearPath(), VelocityTarget(), cond=torch.ones(2, 1))
    guidance = GUIDANCE.build(dict(type="ClassifierFreeGuidance", scale=2.0))
    with pytest.raises(ValueError, match=r"\(model\.guidance\).*unconditional"):
        guidance.wrap(model)
