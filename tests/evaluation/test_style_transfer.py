"""The per-sample style-transfer scores on images whose answer is known in closed form."""

import math

import pytest
import torch
import torch.nn.functional as F

from greenreg.evaluation import artifact_rate, edge_sharpness, high_frequency_psnr, structure_psnr
from greenreg.evaluation.style_transfer import PSNR_CAP_DB, sobel_magnitude

SIZE = 16


def to_signed(unit: torch.Tensor) -> torch.Tensor:
    """[0, 1] -> [-1, 1], the metrics' input range."""
    return unit * 2 - 1


def blocks_and_stripes() -> torch.Tensor:
    """(1, 1, 16, 16) in [0.2, 0.8]: a bright square with 2-px stripes in its left half."""
    x = torch.full((1, 1, SIZE, SIZE), 0.2, dtype=torch.float64)
    x[..., 4:12, 4:12] = 0.8
    cols = torch.arange(SIZE)
    x[..., 4:12, 4:8] = torch.where((cols[4:8] // 2) % 2 == 0, 0.8, 0.2).to(x)
    return x


def blur(x: torch.Tensor) -> torch.Tensor:
    """3 x 3 box blur with replicated borders."""
    return F.avg_pool2d(F.pad(x, (1, 1, 1, 1), mode="replicate"), 3, stride=1)


def test_identical_images_score_the_cap_no_artifacts_and_sharpness_one():
    ref = to_signed(blocks_and_stripes().repeat(3, 1, 1, 1))
    assert torch.equal(structure_psnr(ref, ref), torch.full((3,), PSNR_CAP_DB, dtype=torch.float64))
    assert torch.equal(high_frequency_psnr(ref, ref), torch.full((3,), PSNR_CAP_DB).double())
    assert torch.equal(artifact_rate(ref, ref), torch.zeros(3, dtype=torch.float64))
    torch.testing.assert_close(edge_sharpness(ref, ref), torch.ones(3, dtype=torch.float64))


def test_psnr_is_ten_log_of_one_over_the_mse_on_the_unit_scale():
    unit = blocks_and_stripes()
    # a uniform offset of 0.1 on [0, 1] (0.2 on [-1, 1]): MSE 0.01 -> 20 dB
    assert structure_psnr(to_signed(unit + 0.1), to_signed(unit)).item() == pytest.approx(20.0)
    # the inputs are clamped to [-1, 1] first, as a saved image would be
    clipped = structure_psnr(to_signed(unit) + 5, to_signed(unit))
    assert clipped.item() == pytest.approx(-10 * math.log10(((1 - unit) ** 2).mean().item()))


def test_one_pixel_errors_are_counted_over_all_pixels():
    unit = blocks_and_stripes()
    out = unit.clone()
    out[0, 0, 0, 0] += 0.5  # an artifact at the default threshold 0.25
    out[0, 0, 5, 9] -= 0.2  # below it
    assert artifact_rate(to_signed(out), to_signed(unit)).item() == pytest.approx(1 / SIZE**2)
    rate = artifact_rate(to_signed(out), to_signed(unit), threshold=0.1)
    assert rate.item() == pytest.approx(2 / SIZE**2)


def test_blur_lowers_sharpness_and_high_frequency_psnr_where_an_offset_does_not():
    unit = blocks_and_stripes()
    blurred = blur(unit)
    # an offset with the blur's plain MSE: same structure PSNR, no detail lost
    offset = unit + ((blurred - unit) ** 2).mean().sqrt()
    ref, outs = to_signed(unit).repeat(2, 1, 1, 1), to_signed(torch.cat([blurred, offset]))
    psnr = structure_psnr(outs, ref)
    assert psnr[0].item() == pytest.approx(psnr[1].item(), abs=1e-9)
    sharpness = edge_sharpness(outs, ref)
    assert sharpness[0] < 0.6 and sharpness[1].item() == pytest.approx(1.0)  # blur: 0.52
    hf = high_frequency_psnr(outs, ref)
    assert hf[1] == PSNR_CAP_DB  # a constant has no high-pass part (reflect padding)
    assert hf[0] < 25  # the blur lost the stripes and edges: 20.4 dB


def test_sobel_reads_half_on_both_sides_of_a_unit_step():
    step = torch.zeros(1, 1, 4, 6, dtype=torch.float64)
    step[..., 3:] = 1.0
    row = sobel_magnitude(step)[0, 0, 1]
    torch.testing.assert_close(row, torch.tensor([0, 0, 0.5, 0.5, 0, 0], dtype=torch.float64))


def test_a_flat_reference_has_no_edges_so_no_sharpness():
    flat = torch.zeros(2, 1, 8, 8)
    assert torch.isnan(edge_sharpness(torch.rand(2, 1, 8, 8), flat)).all()


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match=r"structure_psnr\.output: must match"):
        structure_psnr(torch.zeros(2, 1, 8, 8), torch.zeros(2, 1, 8, 9))
    with pytest.raises(ValueError, match=r"edge_sharpness\.output.*\(B, C, H, W\)"):
        edge_sharpness(torch.zeros(1, 8, 8), torch.zeros(1, 8, 8))
    with pytest.raises(ValueError, match=r"artifact_rate\.threshold.*got 1\.5"):
        artifact_rate(torch.zeros(1, 1, 4, 4), torch.zeros(1, 1, 4, 4), threshold=1.5)
