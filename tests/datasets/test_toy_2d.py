"""Toy2DDataset and sample_toy_2d: torchcfm's distributions, seeded, with their labels."""

import math

import pytest
import torch

from greenreg.datasets import sample_toy_2d, sample_toy_2d_labelled
from greenreg.datasets.toy_2d import EIGHT_GAUSSIANS_CENTRES
from greenreg.registry import DATASETS


def draw(name: str, n: int, seed: int = 0):
    return sample_toy_2d_labelled(name, n, torch.Generator().manual_seed(seed))


def test_dataset_builds_from_config_and_yields_points_with_labels():
    data = DATASETS.build(dict(type="Toy2DDataset", name="8gaussians", num_samples=64, seed=3))
    assert len(data) == 64
    item = data[5]
    assert item["inputs"].shape == (2,) and item["inputs"].dtype == torch.float32
    assert item["label"].shape == () and item["label"].dtype == torch.int64
    points, labels = draw("8gaussians", 64, seed=3)  # the dataset is this seed's draw
    assert torch.equal(data.points, points) and torch.equal(data.labels, labels)


def test_eight_gaussians_are_eight_clusters_at_radius_five_with_torchcfm_variance():
    points, labels = draw("8gaussians", 16000)
    centres = torch.tensor(EIGHT_GAUSSIANS_CENTRES, dtype=torch.float32) * 5
    for k in range(8):
        cluster = points[labels == k]  # about 2,000 points
        assert len(cluster) > 1700
        assert torch.allclose(cluster.mean(0), centres[k], atol=0.05)
        # torchcfm passes sqrt(0.1) * I as the covariance: variance 0.316 per axis, not 0.1
        assert torch.allclose(cluster.var(0), torch.full((2,), math.sqrt(0.1)), atol=0.03)
    assert torch.allclose(centres.norm(dim=1), torch.full((8,), 5.0))


def test_moons_have_the_means_and_extents_of_torchdyn_moons_times_three_minus_one():
    points, labels = draw("moons", 4000)
    assert int((labels == 0).sum()) == 2000  # equal halves, as make_moons
    # before x * 3 - 1: upper moon (cos, sin) + u, lower (1 - cos, 0.5 - sin) + u, with the
    # angle on [0, pi] (mean of sin: 2 / pi) and one shift u ~ U[0, 0.2) on both axes
    expected = {
        0: dict(mean=(0.1, 2 / math.pi + 0.1), low=(-1.0, 0.0), high=(1.2, 1.2)),
        1: dict(mean=(1.1, 0.6 - 2 / math.pi), low=(0.0, -0.5), high=(2.2, 0.7)),
    }
    for label, moon in expected.items():
        x = (points[labels == label] + 1) / 3
        assert torch.allclose(x.mean(0), torch.tensor(moon["mean"]), atol=0.01)
        assert (x.min(0).values >= torch.tensor(moon["low"]) - 1e-5).all()
        assert (x.max(0).values <= torch.tensor(moon["high"]) + 1e-5).all()
        assert torch.allclose(x.min(0).values, torch.tensor(moon["low"]), atol=0.03)
        assert torch.allclose(x.max(0).values, torch.tensor(moon["high"]), atol=0.03)


def test_gaussian_is_standard_normal():
    points, labels = draw("gaussian", 20000)
    assert torch.allclose(points.mean(0), torch.zeros(2), atol=0.03)
    assert torch.allclose(torch.cov(points.T), torch.eye(2), atol=0.04)
    assert not labels.any()


@pytest.mark.parametrize("name", ["gaussian", "8gaussians", "moons"])
def test_draws_depend_on_the_generator_only(name):
    torch.manual_seed(123)  # the global generator must not matter
    first = sample_toy_2d(name, 50, torch.Generator().manual_seed(7))
    torch.manual_seed(456)
    again = sample_toy_2d(name, 50, torch.Generator().manual_seed(7))
    other = sample_toy_2d(name, 50, torch.Generator().manual_seed(8))
    assert first.shape == (50, 2) and torch.equal(first, again)
    assert not torch.equal(first, other)


def test_unknown_name_and_empty_draws_are_refused_naming_the_argument():
    with pytest.raises(ValueError, match=r"Toy2DDataset.name .*'gaussian', '8gaussians'.*'spiral'"):
        DATASETS.build(dict(type="Toy2DDataset", name="spiral"))
    with pytest.raises(ValueError, match=r"Toy2DDataset.num_samples .*>= 1, got 0"):
        DATASETS.build(dict(type="Toy2DDataset", num_samples=0))
    with pytest.raises(ValueError, match=r"sample_toy_2d.name.*'moon'"):
        sample_toy_2d("moon", 10, torch.Generator())
    with pytest.raises(ValueError, match=r"sample_toy_2d.n: .*got 0"):
        sample_toy_2d("moons", 0, torch.Generator())
