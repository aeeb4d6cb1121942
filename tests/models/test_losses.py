import math

import pytest
import torch
import torchvision

from greenreg.registry import MODELS


def build(name, **kwargs):
    return MODELS.build(dict(type=name, **kwargs))


def test_flow_mse_is_per_sample():
    loss = build("FlowMSELoss")(
        torch.zeros(2, 1, 2, 2), torch.tensor([1.0, 2.0]).view(2, 1, 1, 1).expand(2, 1, 2, 2)
    )
    torch.testing.assert_close(loss, torch.tensor([1.0, 4.0]))


def test_gaussian_kl_matches_closed_form():
    kl = build("GaussianKLLoss")
    zero = kl(torch.zeros(1, 4), torch.zeros(1, 4))
    torch.testing.assert_close(zero, torch.zeros(1))
    # KL(N(1, e^{-1}) || N(0, 1)) = 0.5 (1 + e^{-1} - 1 + 1) per element
    value = kl(torch.ones(1, 4), -torch.ones(1, 4))
    torch.testing.assert_close(value, torch.tensor([0.5 * (1 + math.exp(-1) + 1 - 1)]))


def test_info_nce_is_log_batch_for_identical_rows_and_near_zero_for_matched_pairs():
    nce = build("InfoNCELoss", temperature=0.1)
    same = torch.ones(4, 8)
    torch.testing.assert_close(nce(same, same), torch.full((4,), math.log(4)))
    eye = torch.eye(4) * 5
    assert nce(eye, eye).max() < 1e-3
    # with groups, rows of one group are all positives: identical rows lose nothing more
    groups = torch.tensor([0, 0, 1, 1])
    pairs = torch.tensor([[1.0, 0], [1.0, 0], [0, 1.0], [0, 1.0]])
    torch.testing.assert_close(
        nce(pairs, pairs, groups), torch.full((4,), math.log(2)), atol=1e-3, rtol=0
    )


def test_info_nce_rejects_a_non_positive_temperature():
    with pytest.raises(ValueError, match="temperature"):
        build("InfoNCELoss", temperature=0.0)


def test_total_variation_of_a_constant_is_zero_and_of_stripes_is_known():
    tv = build("TotalVariationLoss")
    torch.testing.assert_close(tv(torch.ones(1, 1, 4, 4)), torch.zeros(1))
    stripes = torch.tensor([0.0, 1.0, 0.0, 1.0]).repeat(4, 1)[None, None]  # vertical stripes
    torch.testing.assert_close(tv(stripes), torch.tensor([1.0]))  # |dx| = 1, dy = 0


def test_lpips_refuses_a_missing_path_and_needs_explicit_consent_for_random_weights(tmp_path):
    with pytest.raises(FileNotFoundError, match="backbone_weights"):
        build("LPIPSLoss", net="alex")
    with pytest.raises(FileNotFoundError, match="no file"):
        build("LPIPSLoss", net="alex", backbone_weights=str(tmp_path / "missing.pth"))
    loss = build("LPIPSLoss", net="alex", allow_random_backbone=True)
    x = torch.rand(2, 1, 64, 64) * 2 - 1
    torch.testing.assert_close(loss(x, x), torch.zeros(2), atol=1e-6, rtol=0)
    assert (loss(x, -x) > 0).all()


def test_lpips_loads_local_torchvision_weights_into_its_slices(tmp_path):
    torch.manual_seed(0)
    features = torchvision.models.alexnet().features
    path = tmp_path / "alexnet_features.pth"
    torch.save({f"features.{k}": v for k, v in features.state_dict().items()}, path)
    loss = build("LPIPSLoss", net="alex", backbone_weights=str(path))
    torch.testing.assert_close(loss.lpips.net.slice1[0].weight, features[0].weight)
    torch.testing.assert_close(getattr(loss.lpips.net.slice5, "10").bias, features[10].bias)
    assert not any(p.requires_grad for p in loss.lpips.parameters())
    assert len(loss.state_dict()) == 0 and not list(loss.parameters())  # not in checkpoints
