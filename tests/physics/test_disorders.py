"""Disorder models: moments, correlations and counts against what each docstring claims."""

import numpy as np
import pytest

from greenreg.physics import (
    AndersonDisorder,
    BaseDisorder,
    GaussianCorrelatedDisorder,
    HoneycombLattice,
    PointImpurityDisorder,
    SquareLattice,
)
from greenreg.registry import DISORDERS

CONFIGS = [
    dict(type="AndersonDisorder", width=2.0),
    dict(type="GaussianCorrelatedDisorder", strength=1.0, correlation_length=2.0),
    dict(type="PointImpurityDisorder", density=0.1, strength=-1.5),
    dict(type="PointImpurityDisorder", density=0.1, strength=1.5, random_sign=True),
]


@pytest.mark.parametrize("cfg", CONFIGS, ids=lambda c: c["type"])
@pytest.mark.parametrize("lattice", [SquareLattice(8), HoneycombLattice(5)], ids=["sq", "hc"])
def test_builds_and_draws_reproducibly_from_the_generator_passed_in(cfg, lattice):
    disorder = DISORDERS.build(dict(cfg))
    assert isinstance(disorder, BaseDisorder)
    first = disorder.sample(lattice, np.random.default_rng(7))
    assert first.shape == (lattice.num_sites,) and first.dtype == np.float64
    np.testing.assert_array_equal(first, disorder.sample(lattice, np.random.default_rng(7)))
    assert not np.array_equal(first, disorder.sample(lattice, np.random.default_rng(8)))


def test_anderson_is_uniform_with_mean_zero_and_variance_w2_over_12():
    width, lattice, rng = 3.0, SquareLattice(64), np.random.default_rng(0)
    values = np.concatenate([AndersonDisorder(width).sample(lattice, rng) for _ in range(20)])
    n = values.size  # 81,920 independent draws
    assert np.abs(values).max() <= width / 2
    # 5 sigma: std of the mean sqrt(W^2/12 / n); of the variance sqrt((W^4/80 - W^4/144) / n)
    assert abs(values.mean()) < 5 * np.sqrt(width**2 / 12 / n)
    assert abs(values.var() - width**2 / 12) < 5 * np.sqrt(width**4 * (1 / 80 - 1 / 144) / n)
    # uniform: each quarter of [-W/2, W/2] holds a quarter of the draws (5 sigma binomial)
    counts = np.histogram(values, bins=4, range=(-width / 2, width / 2))[0]
    assert np.abs(counts / n - 0.25).max() < 5 * np.sqrt(0.25 * 0.75 / n)


def test_gaussian_field_covariance_is_exact_in_expectation():
    """Circulant embedding: the filter squared is the spectrum of the target covariance."""
    lattice = SquareLattice(32)
    disorder = GaussianCorrelatedDisorder(strength=1.0, correlation_length=2.0)
    filter_ = disorder._filter(lattice)
    covariance = np.fft.irfft2(filter_**2, s=lattice.grid_shape)  # E[V(0) V(offset)] / s^2
    np.testing.assert_allclose(covariance, disorder.covariance(lattice), atol=1e-12)
    assert covariance[0, 0] == pytest.approx(1.0)
    assert covariance[0, 2] == pytest.approx(np.exp(-0.5))  # at distance xi = 2


def test_gaussian_field_std_and_correlation_at_xi_match_the_claim():
    strength, xi, lattice = 1.5, 3.0, SquareLattice(64)
    disorder = GaussianCorrelatedDisorder(strength, xi)
    rng = np.random.default_rng(3)
    fields = np.stack([lattice.to_grid(disorder.sample(lattice, rng)) for _ in range(200)])
    # std of the per-map mean of V^2: sqrt(2/N sum_d C(d)^2) = s^2 sqrt(2 pi xi^2 / N) (Gaussian
    # field, periodic), over 200 maps; 5 sigma
    sigma = strength**2 * np.sqrt(2 * np.pi * xi**2 / lattice.num_sites) / np.sqrt(200)
    assert abs((fields**2).mean() - strength**2) < 5 * sigma
    assert abs(fields.mean()) < 5 * strength * np.sqrt(2 * np.pi * xi**2 / lattice.num_sites / 200)
    for lag, expected in ((3, np.exp(-0.5)), (6, np.exp(-2.0))):  # distance xi and 2 xi
        along_x = (fields * np.roll(fields, lag, axis=2)).mean() / strength**2
        along_y = (fields * np.roll(fields, lag, axis=1)).mean() / strength**2
        # same error scale as the variance, relative to s^2: 5 sigma / s^2 ~ 0.04
        assert along_x == pytest.approx(expected, abs=5 * sigma / strength**2)
        assert along_y == pytest.approx(expected, abs=5 * sigma / strength**2)


def test_gaussian_field_on_the_honeycomb_grid_uses_lattice_constants():
    """A pixel is 1/2 wide: the correlation at xi sits 2 xi columns away."""
    lattice, xi = HoneycombLattice(32), 2.0
    covariance = GaussianCorrelatedDisorder(1.0, xi).covariance(lattice)
    assert covariance[0, int(2 * xi)] == pytest.approx(np.exp(-0.5))
    assert covariance[2, 0] == pytest.approx(np.exp(-((2 * np.sqrt(3) / 2) ** 2) / (2 * xi**2)))


def test_gaussian_field_warns_when_xi_is_not_small_against_the_grid():
    with pytest.warns(UserWarning, match="clipped"):
        GaussianCorrelatedDisorder(1.0, 3.0).sample(SquareLattice(4), np.random.default_rng(0))


def test_point_impurities_hit_exactly_the_stated_fraction_of_sites():
    lattice, rng = SquareLattice(20), np.random.default_rng(0)
    potential = PointImpurityDisorder(density=0.05, strength=-2.0).sample(lattice, rng)
    assert np.count_nonzero(potential) == 20  # round(0.05 * 400)
    assert set(np.unique(potential)) == {0.0, -2.0}
    signed = PointImpurityDisorder(density=0.5, strength=2.0, random_sign=True)
    values = np.concatenate([signed.sample(lattice, rng) for _ in range(50)])
    assert set(np.unique(values)) == {-2.0, 0.0, 2.0}
    assert np.count_nonzero(values) == 50 * 200
    # fair signs: 10,000 impurities, 5 sigma binomial
    assert abs(np.mean(values[values != 0] > 0) - 0.5) < 5 * np.sqrt(0.25 / 10_000)
    assert not PointImpurityDisorder(0.0, 1.0).sample(lattice, rng).any()


@pytest.mark.parametrize(
    "cfg, match",
    [
        (dict(type="AndersonDisorder", width=-1.0), r"AndersonDisorder\.width \(disorder\.width\)"),
        (dict(type="AndersonDisorder", width=float("nan")), r"width.*got nan"),
        (dict(type="GaussianCorrelatedDisorder", strength=1.0, correlation_length=0.0),
         r"correlation_length \(disorder\.correlation_length\).*> 0, got 0\.0"),
        (dict(type="GaussianCorrelatedDisorder", strength=-1.0, correlation_length=2.0),
         r"strength.*>= 0, got -1\.0"),
        (dict(type="PointImpurityDisorder", density=1.5, strength=1.0),
         r"density \(disorder\.density\).*\[0, 1\], got 1\.5"),
        (dict(type="PointImpurityDisorder", density=0.1, strength=float("inf")), r"strength"),
    ],
)  # fmt: skip
def test_rejects_bad_arguments_naming_them(cfg, match):
    with pytest.raises(ValueError, match=match):
        DISORDERS.build(cfg)
