"""Judges generated digits: class accuracy, FD and KID, and pixel statistics against real data."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from mmengine.evaluator import BaseMetric

from greenreg.datasets import CaptionedDigitsDataset
from greenreg.evaluation.digit_classifier import load_digit_classifier
from greenreg.evaluation.frechet import frechet_distance
from greenreg.evaluation.kernel_distance import kernel_distance
from greenreg.evaluation.pixel_statistics import pixel_statistics
from greenreg.evaluation.precision_recall import precision_recall
from greenreg.registry import METRICS
from greenreg.utils import check_int

NEAREST_NEIGHBOUR_K = 3  # Kynkaanniemi et al. 2019's k for precision/recall


@torch.no_grad()
def classifier_outputs(classifier, images: torch.Tensor, batch_size: int = 256):
    """Predicted labels (N,) and features (N, 128) of images (N, 1, H, W), as numpy."""
    preds, feats = [], []
    for chunk in images.split(batch_size):
        f = classifier.features(chunk.float())
        feats.append(f.cpu())
        preds.append(classifier.head(f).argmax(1).cpu())
    return torch.cat(preds).numpy(), torch.cat(feats).numpy()


def real_reference(classifier, source: str, image_size: int) -> dict:
    """Classifier outputs and pixel statistics of the two halves of the held-out split.

    Neither the generators nor the classifier train on the held-out split (the classifier
    trains on ``train``): its first half is the FD/KID reference, its second half the
    "real samples" whose scores are the floor a perfect generator would reach.
    """
    heldout = CaptionedDigitsDataset(source, "heldout", image_size)
    half = len(heldout) // 2
    parts = dict(reference=slice(0, half), floor=slice(half, None))
    out = {}
    for name, part in parts.items():
        images, labels = heldout.images[part], heldout.labels[part].numpy()
        preds, feats = classifier_outputs(classifier, images)
        out[name] = dict(
            feats=feats,
            accuracy=float((preds == labels).mean() * 100),
            class_balance=class_balance(preds),
            images=images,
        )
    out["pixels"] = pixel_statistics(out["reference"]["images"])
    return out


@METRICS.register_module()
class DigitSampleMetric(BaseMetric):
    """Accuracy of samples for their caption's digit, FD/KID to real digits, pixel ratios.

    Features and predictions come from the DigitClassifier (trained on the ``train``
    split). References are the held-out split, which neither the generator nor the
    classifier sees: FD and KID are measured against its first half, and ``fd_real`` /
    ``kid_real`` / ``accuracy_real`` are the same scores for as many images of its second
    half (the floor at this sample size). ``*_ratio`` keys divide the samples' pixel
    statistics (see :class:`PixelStatistics`) by the reference's: 1.0 is real-like.

    Args:
        classifier_path (str | None): weights of the DigitClassifier (None: shipped file).
        source (str): dataset source of the reference images.
        image_size (int): side of the reference images.

    Example:
        ``val_evaluator = dict(type='DigitSampleMetric')``
    """

    default_prefix = "digits"

    def __init__(
        self,
        classifier_path: str | None = None,
        source: str = "mnist",
        image_size: int = 32,
        collect_device: str = "cpu",
        prefix: str | None = None,
    ) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        check_int("DigitSampleMetric.image_size (val_evaluator.image_size)", image_size, 1)
        self.classifier = load_digit_classifier(classifier_path)
        self.source, self.image_size = source, image_size
        self._reference: dict | None = None

    def reference(self) -> dict:
        """:func:`real_reference`, computed once per metric."""
        if self._reference is None:
            self._reference = real_reference(self.classifier, self.source, self.image_size)
        return self._reference

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        """Keeps each sample (C, H, W) and its caption's digit."""
        for item in data_samples:
            self.results.append((item["samples"].cpu(), int(item["label"])))

    def compute_metrics(self, results: list) -> dict:
        """Scores of the samples and, as ``*_real``, of as many real held-out digits."""
        images = torch.stack([s for s, _ in results])
        return self.score(images, np.array([y for _, y in results]))

    def score(self, images: torch.Tensor, labels: np.ndarray) -> dict:
        """The metric's dict for images (N, 1, H, W) in [-1, 1] with digit labels (N,).

        Labels of -1 (unconditional samples) have no accuracy; every set gets
        ``class_balance``: the entropy of the predicted digits' histogram over log 10 (1.0 =
        all ten digits equally often; a generator that collapses onto a few digits scores
        low), and k-NN ``precision`` / ``recall`` (k = 3) against the reference.
        """
        preds, feats = classifier_outputs(self.classifier, images)
        ref = self.reference()
        reference, floor = ref["reference"]["feats"], ref["floor"]["feats"][: len(feats)]
        scores = dict(
            class_balance=class_balance(preds),
            fd=frechet_distance(feats, reference),
            kid=kernel_distance(feats, reference),
            accuracy_real=ref["floor"]["accuracy"],
            class_balance_real=ref["floor"]["class_balance"],
            fd_real=frechet_distance(floor, reference),
            kid_real=kernel_distance(floor, reference),
            num_samples=len(images),
        )
        if len(feats) > NEAREST_NEIGHBOUR_K:
            scores.update(precision_recall(reference, feats, NEAREST_NEIGHBOUR_K).as_dict())
        if (labels >= 0).all():  # conditional samples: is each the digit it was asked for?
            scores["accuracy"] = float((preds == labels).mean() * 100)
        ratios = pixel_statistics(images).ratios(ref["pixels"])
        scores.update({f"{k}_ratio": v for k, v in ratios.items()})
        return scores


def class_balance(preds: np.ndarray, num_classes: int = 10) -> float:
    """Entropy of the predicted-class histogram divided by log(num_classes), in [0, 1]."""
    share = np.bincount(preds, minlength=num_classes) / max(len(preds), 1)
    share = share[share > 0]
    return max(0.0, float(-(share * np.log(share)).sum() / np.log(num_classes)))  # no -0.0
