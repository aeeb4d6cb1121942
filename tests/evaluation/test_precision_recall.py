"""Improved precision/recall (Kynkaanniemi et al. 2019) on sets whose answer is known."""

import numpy as np
import pytest

from greenreg.evaluation import PrecisionRecall, precision_recall


def cluster(centre: float, n: int, seed: int, dim: int = 4) -> np.ndarray:
    return centre + np.random.default_rng(seed).normal(size=(n, dim))


def test_identical_sets_have_full_precision_and_recall():
    a = cluster(0.0, 50, 0)
    assert precision_recall(a, a) == PrecisionRecall(precision=1.0, recall=1.0)
    # duplicates have k-NN radius 0: a point still lies in its own ball
    same = np.ones((6, 3))
    assert precision_recall(same, same).as_dict() == dict(precision=1.0, recall=1.0)


def test_disjoint_far_apart_sets_have_neither():
    result = precision_recall(cluster(0.0, 40, 0), cluster(100.0, 30, 1))
    assert (result.precision, result.recall) == (0.0, 0.0)


def test_a_generator_covering_one_of_two_modes_is_precise_but_recalls_only_that_mode():
    real = np.concatenate([cluster(0.0, 40, 0), cluster(100.0, 60, 1)])
    fake = real[:40]  # mode A only
    result = precision_recall(real, fake, k=3)
    assert result.precision == 1.0
    assert result.recall == pytest.approx(40 / 100)


def test_radii_are_each_point_s_kth_neighbour_distance():
    # k=1: every real ball has radius 1; 0.5 and 4.9 fall inside one, 10 does not.
    # Fake balls (k=1): 0.5 and 4.9 are 4.4 apart, 10 is 5.1 from 4.9: all reals covered.
    real = np.arange(5.0)[:, None]
    fake = np.array([[0.5], [10.0], [4.9]])
    result = precision_recall(real, fake, k=1)
    assert result.precision == pytest.approx(2 / 3)
    assert result.recall == 1.0
    # k=2: radius 2 at the ends (0 and 4), 1 inside; 10 is still 6 from the nearest ball
    assert precision_recall(real, fake, k=2).precision == pytest.approx(2 / 3)


def test_batching_does_not_change_the_result():
    real, fake = cluster(0.0, 57, 0), cluster(0.7, 43, 1)
    whole = precision_recall(real, fake, batch_size=1024)
    assert precision_recall(real, fake, batch_size=7) == whole
    assert 0 < whole.precision < 1 and 0 < whole.recall < 1


def test_errors_name_what_is_wrong():
    with pytest.raises(ValueError, match=r"precision_recall\.k.*N, M > 3.*M=3"):
        precision_recall(np.zeros((10, 2)), np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"\(N, D\) arrays with equal D"):
        precision_recall(np.zeros((10, 2)), np.zeros((10, 3)))
    with pytest.raises(ValueError, match=r"precision_recall\.k: expected an int >= 1, got 0"):
        precision_recall(np.zeros((10, 2)), np.zeros((10, 2)), k=0)
