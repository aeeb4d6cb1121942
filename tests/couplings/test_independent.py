"""IndependentCoupling: the pairs as drawn (plain conditional flow matching)."""

import torch

from greenreg.couplings import BaseCoupling, CouplingPlan, IndependentCoupling
from greenreg.registry import COUPLINGS, MODELS
from greenreg.schedules import TrainProgress
from tests.conftest import tiny_ddpm_config


def test_builds_from_its_config_through_the_registry():
    coupling = COUPLINGS.build(dict(type="IndependentCoupling"))
    assert isinstance(coupling, IndependentCoupling) and isinstance(coupling, BaseCoupling)


def test_plan_is_the_identity_whatever_the_batch():
    g = torch.Generator().manual_seed(0)
    coupling = COUPLINGS.build(dict(type="IndependentCoupling"))
    x0, x1 = torch.randn(5, 1, 4, 4, generator=g), torch.randn(5, 1, 4, 4, generator=g)
    for cond in (None, torch.randn(5, 8, generator=g)):
        plan = coupling.plan(x0, x1, cond, TrainProgress(iteration=7, images_seen=448))
        assert plan == CouplingPlan()  # None indices: 0 .. B-1 on both sides
        assert plan.source_index is None and plan.data_index is None


def test_a_generator_trains_each_source_against_the_data_it_came_with(tmp_path):
    """PairedDataSource makes x0 known: the step must hold (source[i], inputs[i]) pairs."""
    cfg = tiny_ddpm_config(str(tmp_path / "work")).model
    cfg.source = dict(type="PairedDataSource", key="source")
    cfg.coupling = dict(type="IndependentCoupling")
    model = MODELS.build(cfg).train()
    steps = []
    model.register_step_observer(steps.append)
    g = torch.Generator().manual_seed(1)
    batch = dict(
        inputs=torch.rand(6, 1, 8, 8, generator=g) * 2 - 1,
        source=torch.rand(6, 1, 8, 8, generator=g) * 2 - 1,
        label=torch.arange(6),
    )
    model.loss(batch, TrainProgress(0))
    (step,) = steps
    torch.testing.assert_close(step.x0, batch["source"])
    torch.testing.assert_close(step.x1, batch["inputs"])
    torch.testing.assert_close(step.batch["label"], batch["label"])
