"""DigitSampleMetric scores real digits as real and penalises speckle that FD misses."""

import numpy as np
import pytest
import torch

from greenreg.datasets import CaptionedDigitsDataset
from greenreg.evaluation import DigitSampleMetric


@pytest.fixture(scope="module")
def metric_and_digits():
    metric = DigitSampleMetric(source="mnist", image_size=32)
    heldout = CaptionedDigitsDataset("mnist", "heldout", 32)
    # the floor half of the held-out split: real digits the reference half does not contain
    return metric, heldout.images[500:], heldout.labels[500:].numpy()


def test_real_digits_score_like_real_digits(metric_and_digits):
    metric, images, labels = metric_and_digits
    scores = metric.score(images, labels)
    assert scores["accuracy"] >= 97
    assert scores["fd"] == pytest.approx(scores["fd_real"])  # the same images as the floor
    for key in ("total_variation", "high_frequency_share", "background_level"):
        assert 0.85 <= scores[f"{key}_ratio"] <= 1.15, key


def test_speckle_is_penalised_by_the_pixel_ratios(metric_and_digits):
    metric, images, labels = metric_and_digits
    noise = torch.randn(images.shape, generator=torch.Generator().manual_seed(0))
    speckled = (images + 0.2 * noise).clamp(-1, 1)
    scores = metric.score(speckled, labels)
    # a robust classifier still reads the digits, and its features barely move ...
    assert scores["accuracy"] >= 95
    # ... but the pixels are not real: as in samples with speckle (1.5-4x real)
    assert scores["total_variation_ratio"] > 1.5
    assert scores["high_frequency_share_ratio"] > 1.3
    assert scores["background_level_ratio"] > 2


def test_wrong_digits_lose_accuracy_and_fd(metric_and_digits):
    metric, images, labels = metric_and_digits
    shuffled = metric.score(images, np.roll(labels, 1))
    assert shuffled["accuracy"] < 20
    blank = metric.score(torch.full_like(images, -1.0), labels)
    assert blank["fd"] > 10 * blank["fd_real"]


def test_unconditional_samples_are_judged_by_balance_and_precision_recall(metric_and_digits):
    metric, images, _ = metric_and_digits
    unlabelled = np.full(len(images), -1)
    real = metric.score(images, unlabelled)
    assert "accuracy" not in real
    assert real["class_balance"] > 0.95 and real["class_balance_real"] > 0.95
    assert real["precision"] > 0.6 and real["recall"] > 0.6
    # one digit repeated: the balance and the recall collapse, the precision does not
    ones = images[torch.from_numpy(metric_and_digits[2] == 1)]
    collapsed = metric.score(ones.repeat(10, 1, 1, 1)[: len(images)], unlabelled)
    assert collapsed["class_balance"] < 0.2
    assert collapsed["recall"] < 0.3 * real["recall"]
    assert collapsed["precision"] > 0.5
