"""HalfLifeEMA: EDM's half-life in images with ramp-up, against the closed form."""

import pytest
from torch import nn

from greenreg.registry import MODELS


def _ema(**kwargs):
    model = nn.Linear(1, 1, bias=False)
    nn.init.zeros_(model.weight)
    return model, MODELS.build(dict(type="HalfLifeEMA", model=model, **kwargs))


def test_without_ramp_up_the_average_halves_its_distance_every_half_life():
    # 64 images per step, half-life 0.64 kimg = 10 steps
    model, ema = _ema(batch_images=64, ema_halflife_kimg=0.64, ema_rampup_ratio=None)
    ema.update_parameters(model)  # the first update copies (0)
    model.weight.data.fill_(1.0)
    for _ in range(10):
        ema.update_parameters(model)
    assert float(ema.module.weight) == pytest.approx(0.5, abs=1e-6)
    for _ in range(10):
        ema.update_parameters(model)
    assert float(ema.module.weight) == pytest.approx(0.75, abs=1e-6)


def test_the_ramp_up_shortens_the_half_life_early_and_bad_values_are_named():
    _, ema = _ema(batch_images=64, ema_halflife_kimg=500, ema_rampup_ratio=0.05)
    # after 100 steps: 6,400 images seen, half-life min(500k, 320) images = 5 steps
    assert ema.beta_at(100) == pytest.approx(0.5 ** (64 / 320))
    assert ema.beta_at(10**6) == pytest.approx(0.5 ** (64 / 500_000))
    with pytest.raises(ValueError, match="ema_halflife_kimg"):
        _ema(ema_halflife_kimg=0)
    with pytest.raises(ValueError, match="batch_images"):
        _ema(batch_images=0)
