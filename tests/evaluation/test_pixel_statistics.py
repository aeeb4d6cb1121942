"""Pixel statistics on images whose values are known in closed form."""

import math

import pytest
import torch

from greenreg.evaluation import pixel_statistics


def to_signed(unit: torch.Tensor) -> torch.Tensor:
    """[0, 1] -> [-1, 1], the range the statistics take."""
    return unit * 2 - 1


def test_a_blank_image_has_no_variation_grey_or_detail():
    stats = pixel_statistics(torch.full((2, 1, 8, 8), -1.0))
    assert stats.as_dict() == dict(
        total_variation=0.0, mid_grey_fraction=0.0, high_frequency_share=0.0, background_level=0.0
    )


def test_a_checkerboard_is_all_high_frequency_and_its_variation_is_counted_exactly():
    h = w = 8
    board = ((torch.arange(h)[:, None] + torch.arange(w)[None, :]) % 2).double()
    stats = pixel_statistics(to_signed(board)[None, None])
    assert stats.total_variation == 2 * h * (w - 1)  # every neighbour pair differs by 1
    assert stats.high_frequency_share == pytest.approx(1.0)  # all power at (Nyquist, Nyquist)
    assert stats.mid_grey_fraction == 0.0 and stats.background_level == 0.0


def test_a_slow_cosine_has_no_high_frequency_power_and_grey_counts_mid_levels():
    x = torch.arange(16, dtype=torch.float64)
    wave = 0.5 + 0.5 * torch.cos(2 * math.pi * x / 16)[None, :].expand(16, 16)
    stats = pixel_statistics(to_signed(wave)[None, None])
    assert stats.high_frequency_share == pytest.approx(0.0, abs=1e-12)
    expected_grey = float(((wave > 0.1) & (wave < 0.9)).double().mean())
    assert stats.mid_grey_fraction == pytest.approx(expected_grey)
    grey = pixel_statistics(torch.full((1, 1, 4, 4), 0.0))  # 0.5 on [0, 1]
    assert grey.mid_grey_fraction == 1.0


def test_background_level_is_the_mean_of_the_dark_pixels():
    image = torch.zeros(1, 1, 2, 2, dtype=torch.float64)
    image[0, 0] = torch.tensor([[0.02, 0.04], [1.0, 0.9]])
    assert pixel_statistics(to_signed(image)).background_level == pytest.approx(0.03)


def test_bad_shapes_are_named():
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        pixel_statistics(torch.zeros(8, 8))
