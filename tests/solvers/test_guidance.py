"""Classifier-free guidance: the combination rule and its decay schedules."""

import pytest
import torch

from greenreg.registry import GUIDANCE, MODELS


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
