"""FGWCoupling: batch x memory plans, POT's regression case, named errors."""

import numpy as np
import pytest
import torch

from greenreg.registry import COUPLINGS
from greenreg.schedules import TrainProgress

AT0 = TrainProgress(0, 0)


def test_a_batch_against_itself_reversed_is_the_flipped_identity():
    # POT's own FGW regression case: 20 points against the same points reversed,
    # max-normalised costs, alpha 0.5 -> plan = flipud(I) / 20 and an FGW cost of ~0
    g = torch.Generator().manual_seed(0)
    x = torch.randn(20, 2, generator=g)
    coupling = COUPLINGS.build(dict(type="FGWCoupling", alpha=0.5, epsilon=0.0, max_iter=100))
    result = coupling.plan(x, x.flip(0), AT0)
    np.testing.assert_allclose(result.plan.numpy(), np.flipud(np.eye(20)) / 20, atol=1e-6)
    assert result.target_index.tolist() == list(range(19, -1, -1))


def test_the_plan_is_batch_by_memory_with_uniform_marginals_and_follows_its_schedules():
    g = torch.Generator().manual_seed(1)
    batch, memory = torch.randn(8, 5, generator=g), torch.randn(32, 5, generator=g)
    coupling = COUPLINGS.build(
        dict(type="FGWCoupling", alpha=[(0, 0.1), (100, 0.125)], epsilon=[(0, 0.1), (100, 0.087)])
    )
    result = coupling.plan(batch, memory, TrainProgress(100, 0))
    assert result.plan.shape == (8, 32)  # not batch x batch (seed 003's bug)
    np.testing.assert_allclose(result.plan.sum(1).numpy(), np.full(8, 1 / 8), atol=1e-3)
    np.testing.assert_allclose(result.plan.sum(0).numpy(), np.full(32, 1 / 32), atol=1e-3)
    assert (result.alpha, result.epsilon) == (0.125, 0.087)
    # the features' scale does not matter: costs are max-normalised
    scaled = coupling.plan(1000 * batch, 1000 * memory, TrainProgress(100, 0))
    torch.testing.assert_close(scaled.plan, result.plan, atol=1e-6, rtol=1e-4)


def test_bad_input_is_named():
    ok = torch.zeros(4, 3)
    build = COUPLINGS.build
    with pytest.raises(ValueError, match="alpha.*got 1.5"):
        build(dict(type="FGWCoupling", alpha=1.5))
    with pytest.raises(ValueError, match=">= 0"):
        build(dict(type="FGWCoupling", epsilon=-0.1))
    coupling = build(dict(type="FGWCoupling"))
    with pytest.raises(ValueError, match=r"equal widths.*\(4, 3\) and \(8, 2\)"):
        coupling.plan(ok, torch.zeros(8, 2), AT0)
    with pytest.raises(ValueError, match="M = 2 < B = 4"):
        coupling.plan(ok, torch.zeros(2, 3), AT0)
    bad = torch.randn(8, 3)
    bad[5, 1] = float("nan")
    with pytest.raises(ValueError, match=r"memory features, got NaN or Inf in rows \[5\]"):
        coupling.plan(torch.randn(4, 3), bad, AT0)


def test_nearest_in_plan_picks_each_rows_closest_entry_of_its_own_share():
    # 4 clusters of 8 bank entries, one batch point at each cluster's centre: the exact plan
    # gives every row its cluster (8 entries of equal mass), the argmax an arbitrary member,
    # nearest_in_plan the member closest to the row
    g = torch.Generator().manual_seed(2)
    centres = 10 * torch.eye(4)
    memory = (centres[:, None] + torch.randn(4, 8, 4, generator=g)).reshape(32, 4)
    build = dict(type="FGWCoupling", alpha=0.0, epsilon=0.0, max_iter=50)
    nearest = COUPLINGS.build(dict(build, target="nearest_in_plan")).plan(centres, memory, AT0)
    share = nearest.plan > 0.5 * nearest.plan.max(1, keepdim=True).values
    assert (share.sum(1) == 8).all() and (share.float().sum(0) == 1).all()  # disjoint shares
    distance = torch.cdist(centres, memory).masked_fill(~share, float("inf"))
    assert nearest.target_index.tolist() == distance.argmin(1).tolist()
    argmax = COUPLINGS.build(build).plan(centres, memory, AT0)
    assert share[torch.arange(4), argmax.target_index].all()  # in its share, not the nearest
    with pytest.raises(ValueError, match="target"):
        COUPLINGS.build(dict(build, target="closest"))
