"""OneStepGenerator: one evaluation samples; memory-bank targets; the baselines; bad configs."""

import os

import pytest
import torch
from mmengine.config import Config

from greenreg.datasets import CaptionedDigitsDataset
from greenreg.registry import MODELS
from greenreg.schedules import TrainProgress
from tests.conftest import CONFIGS, TINY_BACKBONES


def model_config(**override) -> dict:
    """configs/gfgw_fm.py's model at 8x8 with a 1-block U-Net and a 32-entry bank."""
    cfg = Config.fromfile(os.path.join(CONFIGS, "gfgw_fm.py")).model.to_dict()
    cfg["backbone"].update(TINY_BACKBONES["UNetBackbone"], patch_size=1)
    cfg["memory_bank"] = dict(type="MemoryBank", size=32)
    cfg.update({"memory_draw": 24, **override})
    return cfg


@pytest.fixture(scope="module")
def digits():
    return CaptionedDigitsDataset("digits", "train", 8).images[:64]


def steps(model, digits, count=3, batch=8):
    seen = []  # (step, the bank's items when the step ran)
    bank = model.memory_bank
    handle = model.register_step_observer(
        lambda step: seen.append((step, None if bank is None else bank.items.clone()))
    )
    losses = [
        model.loss(dict(inputs=digits[i * batch : (i + 1) * batch]), TrainProgress(i, i * batch))
        for i in range(count)
    ]
    handle.remove()
    return losses, seen


def test_sampling_with_one_euler_step_is_the_one_step_map():
    torch.manual_seed(0)
    model = MODELS.build(model_config()).eval()
    samples = model.sample({}, seeds=[3, 4])
    x0 = torch.stack(
        [torch.randn(1, 8, 8, generator=torch.Generator().manual_seed(s)) for s in (3, 4)]
    )
    with torch.no_grad():
        torch.testing.assert_close(samples, model.one_step(x0).clamp(-1, 1))


def test_memory_targets_are_bank_entries_and_every_term_trains_the_backbone(digits):
    torch.manual_seed(0)
    model = MODELS.build(model_config())
    losses, seen = steps(model, digits, count=5)  # 40 pushed into a 32-entry bank
    assert len(model.memory_bank) == 32
    last = losses[-1]
    expected = {"loss_flow", "loss_feature", "loss_lpips", "loss_structure", "loss_boundary"}
    assert expected <= set(last) and {"coupling_alpha", "coupling_epsilon"} <= set(last)
    for step, bank_items in seen:
        # each target is an image the bank held, and its features are that entry's
        match = torch.cdist(step.x1.flatten(1), bank_items.flatten(1)).min(1).values
        assert match.max() < 1e-5
        assert step.one_step.shape == step.x1.shape and step.one_step.requires_grad
    sum(v for k, v in last.items() if k.startswith("loss")).backward()
    grads = [p.grad for p in model.backbone.parameters() if p.grad is not None]
    assert grads and sum(g.abs().sum() for g in grads) > 0
    assert all(p.grad is None for p in model.feature_network.parameters())
    # the bank travels in the state dict, so --resume couples against the same entries
    state = model.state_dict()
    assert torch.equal(state["memory_bank.items"], model.memory_bank.items)


@pytest.mark.parametrize("coupling", ["IndependentCoupling", "ExactOTCoupling"])
def test_without_a_bank_the_batch_coupling_pairs_x0_with_the_batch(digits, coupling):
    torch.manual_seed(0)
    model = MODELS.build(
        model_config(memory_bank=None, memory_coupling=None, coupling=dict(type=coupling))
    )
    losses, seen = steps(model, digits, count=1)
    (step, _), batch = seen[0], digits[:8]
    assert torch.cdist(step.x1.flatten(1), batch.flatten(1)).min(1).values.max() < 1e-6
    assert "coupling_alpha" not in losses[0] and torch.isfinite(losses[0]["loss_feature"])
    if coupling == "ExactOTCoupling":  # the pairing is a permutation of the batch
        assert len({tuple(x.flatten().tolist()) for x in step.x1}) == 8


def test_bad_configurations_are_named():
    with pytest.raises(ValueError, match="memory_coupling"):
        MODELS.build(model_config(memory_coupling=None))
    with pytest.raises(ValueError, match="conditioning"):
        MODELS.build(
            model_config(
                conditioning=dict(type="ClassEmbeddingConditioner", num_classes=10, embed_dim=32)
            )
        )
    with pytest.raises(ValueError, match="alpha\\(0\\) = 0"):
        MODELS.build(
            model_config(path=dict(type="DDPMDiscretePath"), target=dict(type="DataTarget"))
        )
    with pytest.raises(ValueError, match="expected 128 .*got 64"):
        MODELS.build(model_config(memory_bank=dict(type="MemoryBank", size=32, feature_dim=64)))
    with pytest.raises(ValueError, match="memory_draw"):
        MODELS.build(model_config(memory_draw=0))


def test_one_step_fields_are_named_when_a_multistep_generator_lacks_them(digits):
    from greenreg.models.generators.train_step import TrainStep

    cfg = model_config()
    flow = MODELS.build(
        dict(
            type="FlowGenerator",
            backbone=cfg["backbone"],
            path=cfg["path"],
            target=cfg["target"],
            time_sampler=dict(type="UniformTimeSampler"),
        )
    )
    seen = []
    flow.register_step_observer(seen.append)
    flow.loss(dict(inputs=digits[:4]), TrainProgress(0, 0))
    assert isinstance(seen[0], TrainStep)
    with pytest.raises(KeyError, match="OneStepGenerator"):
        seen[0].get("one_step_features")
