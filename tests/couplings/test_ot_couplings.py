"""Exact OT, Sinkhorn and condition-aware couplings: permutations, epsilon, loud failures."""

import numpy as np
import pytest
import torch

from greenreg.couplings import sample_permutation
from greenreg.couplings.pot import ot, squared_cost, uniform
from greenreg.registry import COUPLINGS
from greenreg.schedules import TrainProgress

AT0 = TrainProgress(0)


def hidden_permutation(n=32, d=8, seed=0):
    """Data that are a permuted copy of the sources plus a little noise."""
    g = torch.Generator().manual_seed(seed)
    x0 = torch.randn(n, d, generator=g)
    perm = torch.randperm(n, generator=g)
    return x0, x0[perm] + 1e-3 * torch.randn(n, d, generator=g), perm


def test_exact_ot_recovers_a_hidden_permutation_and_uses_every_source_once():
    x0, x1, perm = hidden_permutation()
    plan = COUPLINGS.build(dict(type="ExactOTCoupling")).plan(x0, x1, None, AT0)
    assert plan.data_index is None and torch.equal(plan.source_index, perm)
    with pytest.raises(ValueError, match="as many sources as data"):
        COUPLINGS.build(dict(type="ExactOTCoupling")).plan(x0[:5], x1, None, AT0)


def test_exact_ot_lowers_the_transport_cost_of_random_pairs():
    g = torch.Generator().manual_seed(1)
    x0, x1 = torch.randn(64, 2, generator=g), torch.randn(64, 2, generator=g) + 3
    index = COUPLINGS.build(dict(type="ExactOTCoupling")).plan(x0, x1, None, AT0).source_index
    assert sorted(index.tolist()) == list(range(64))
    paired = (x0[index] - x1).pow(2).sum(1).mean()
    assert paired < (x0 - x1).pow(2).sum(1).mean()
    # it is the optimum: POT's own cost of the exact plan
    optimum = ot.emd2(uniform(64), uniform(64), squared_cost(x0, x1)) * 2
    assert float(paired) == pytest.approx(optimum, rel=1e-6)  # float32 data


def test_sinkhorn_at_epsilon_zero_is_exact_and_its_schedule_is_read_each_step():
    x0, x1, perm = hidden_permutation()
    coupling = COUPLINGS.build(dict(type="SinkhornCoupling", epsilon=[(0, 0.0), (100, 0.1)]))
    assert torch.equal(coupling.plan(x0, x1, None, TrainProgress(0)).source_index, perm)
    assert coupling.epsilon(TrainProgress(50)) == pytest.approx(0.05)


def test_small_epsilon_on_image_sized_costs_gives_a_valid_near_exact_plan():
    # 3,072-d inputs: the raw squared cost averages ~6,000 here; relative epsilon 0.005
    x0, x1, perm = hidden_permutation(n=16, d=3072, seed=2)
    coupling = COUPLINGS.build(dict(type="SinkhornCoupling", epsilon=0.005))
    cost = squared_cost(x0, x1)
    plan = coupling.entropic_plan(cost / cost.mean(), 0.005)
    assert np.abs(plan.sum(1) - 1 / 16).sum() < 1e-3 and plan.sum() == pytest.approx(1, abs=1e-3)
    index = coupling.plan(x0, x1, None, AT0).source_index
    assert torch.equal(index, perm)  # a sharp plan: the draw is the hidden permutation


def test_a_plan_with_wrong_marginals_fails_loudly():
    # unrelated points in 64-d: every normalised cost is ~1 +- 0.2, so exp(-cost / 1e-3)
    # underflows and POT's plain Sinkhorn returns a plan of mass 5e-279 (only a warning)
    g = torch.Generator().manual_seed(3)
    x0, x1 = torch.randn(16, 64, generator=g), torch.randn(16, 64, generator=g)
    plain = COUPLINGS.build(
        dict(type="SinkhornCoupling", epsilon=1e-3, method="sinkhorn", exact_below=0)
    )
    with pytest.raises(RuntimeError, match="epsilon 0.001 .* marginals off"):
        plain.plan(x0, x1, None, AT0)
    log_domain = COUPLINGS.build(dict(type="SinkhornCoupling", epsilon=1e-3, exact_below=0))
    assert sorted(log_domain.plan(x0, x1, None, AT0).source_index.tolist()) == list(range(16))
    with pytest.raises(ValueError, match="method"):
        COUPLINGS.build(dict(type="SinkhornCoupling", method="greenkhorn"))


def test_tiny_epsilons_are_exact_ot_and_bad_costs_are_named():
    g = torch.Generator().manual_seed(5)
    x0, x1 = torch.randn(12, 32, generator=g), torch.randn(12, 32, generator=g)
    exact = COUPLINGS.build(dict(type="ExactOTCoupling")).plan(x0, x1, None, AT0).source_index
    near_zero = COUPLINGS.build(dict(type="SinkhornCoupling", epsilon=1e-4))
    assert torch.equal(near_zero.plan(x0, x1, None, AT0).source_index, exact)
    x0[3, 5] = float("nan")
    with pytest.raises(ValueError, match=r"NaN or Inf.*x0 rows \[3\]"):
        near_zero.plan(x0, x1, None, AT0)
    with pytest.raises(ValueError, match="exact_below"):
        COUPLINGS.build(dict(type="SinkhornCoupling", exact_below=-1.0))
    with pytest.raises(ValueError, match=">= 0"):
        COUPLINGS.build(dict(type="SinkhornCoupling", epsilon=-0.1))


def test_a_plan_is_sampled_without_replacement_and_follows_its_weights():
    g = torch.Generator().manual_seed(0)
    uniform_plan = np.full((8, 8), 1 / 64)
    draws = [sample_permutation(uniform_plan, g) for _ in range(400)]
    assert all(sorted(d.tolist()) == list(range(8)) for d in draws)  # always a permutation
    first = torch.stack(draws)[:, 0]
    counts = torch.bincount(first, minlength=8).double()
    assert (counts / 400 - 1 / 8).abs().max() < 0.07  # every source equally likely
    diagonal = np.eye(8) / 8
    assert sample_permutation(diagonal, g).tolist() == list(range(8))


def test_condition_aware_ot_never_pairs_across_conditions():
    g = torch.Generator().manual_seed(4)
    x0, x1 = torch.randn(24, 2, generator=g), torch.randn(24, 2, generator=g)
    label = torch.arange(24) % 3
    coupling = COUPLINGS.build(
        dict(type="ConditionAwareCoupling", coupling=dict(type="ExactOTCoupling"))
    )
    index = coupling.plan(x0, x1, label, AT0).source_index
    assert sorted(index.tolist()) == list(range(24))
    assert torch.equal(label[index], label)  # each source comes from its data's group
    for c in range(3):  # within a group: the exact OT of that group
        members = torch.nonzero(label == c).flatten()
        own = COUPLINGS.build(dict(type="ExactOTCoupling")).plan(
            x0[members], x1[members], None, AT0
        )
        assert torch.equal(index[members], members[own.source_index])
    with pytest.raises(ValueError, match="conditioning"):
        coupling.plan(x0, x1, None, AT0)


@pytest.mark.parametrize(
    "coupling",
    [
        dict(type="ExactOTCoupling"),
        dict(type="SinkhornCoupling", epsilon=0.0),
        dict(type="ConditionAwareCoupling", coupling=dict(type="ExactOTCoupling")),
    ],
    ids=["exact", "sinkhorn", "condition_aware"],
)
def test_a_generator_trains_on_the_coupled_pairs(tmp_path, coupling):
    """Known sources (PairedDataSource): the step must hold x0 permuted, x1 and labels as is."""
    from greenreg.registry import MODELS
    from tests.conftest import tiny_ddpm_config

    cfg = tiny_ddpm_config(str(tmp_path / "work")).model
    cfg.source = dict(type="PairedDataSource", key="source")
    cfg.coupling = coupling
    cfg.conditioning.drop_prob = 0.0  # a dropped label would form its own (null) group
    model = MODELS.build(cfg).train()
    steps = []
    model.register_step_observer(steps.append)
    g = torch.Generator().manual_seed(1)
    x1 = torch.rand(6, 1, 8, 8, generator=g) * 2 - 1
    label = torch.tensor([0, 1, 0, 1, 0, 1])
    perm = torch.tensor([2, 3, 0, 5, 4, 1])  # within the label groups
    batch = dict(inputs=x1, source=x1[perm] + 1e-3, label=label)
    model.loss(batch, TrainProgress(0))
    (step,) = steps
    torch.testing.assert_close(step.x1, x1)  # the data keep their order
    torch.testing.assert_close(step.x0, x1 + 1e-3)  # each paired with its own copy
    torch.testing.assert_close(step.batch["label"], label)
