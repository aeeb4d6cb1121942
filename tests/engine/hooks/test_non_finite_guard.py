"""non_finite_terms: every loss term judged with one host read."""

import math

import torch

from greenreg.engine.hooks.non_finite_guard import non_finite_terms
from tests.engine.hooks.test_loss_ema import CountedTensor


def test_names_the_non_finite_terms_in_order_with_one_host_read():
    def counted(v):
        return torch.as_tensor(v).as_subclass(CountedTensor)

    outputs = dict(
        loss=counted(1.0),
        loss_flow=counted([0.5, math.nan]),
        loss_kl=counted(math.inf),
        weight=-math.inf,
        step=3.0,
    )
    CountedTensor.reads = []
    assert non_finite_terms(outputs) == ["loss_flow", "loss_kl", "weight"]
    assert CountedTensor.reads == ["tolist"]
    assert non_finite_terms(dict(loss=counted(0.1))) == []
    assert non_finite_terms(None) == []
