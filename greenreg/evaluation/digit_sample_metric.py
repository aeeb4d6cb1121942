"""Judges generated digits with the held-out classifier: accuracy and Frechet distance."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from mmengine.evaluator import BaseMetric

from greenreg.datasets import CaptionedDigitsDataset
from greenreg.evaluation.digit_classifier import load_digit_classifier
from greenreg.evaluation.frechet import frechet_distance
from greenreg.registry import METRICS
from greenreg.utils import check_int


@torch.no_grad()
def classifier_outputs(classifier, images: torch.Tensor, batch_size: int = 256):
    """Predicted labels (N,) and features (N, 128) of images (N, 1, H, W), as numpy."""
    preds, feats = [], []
    for chunk in images.split(batch_size):
        f = classifier.features(chunk.float())
        feats.append(f.cpu())
        preds.append(classifier.head(f).argmax(1).cpu())
    return torch.cat(preds).numpy(), torch.cat(feats).numpy()


@METRICS.register_module()
class DigitSampleMetric(BaseMetric):
    """Class accuracy of samples for their caption, and FD to held-out real digits.

    The Frechet distance is measured in the classifier's 128-d feature space against the
    ``heldout`` split; ``fd_real`` is the same distance for as many real ``train`` images,
    the floor a perfect generator would reach at this sample size.

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
        """Classifier outputs on the real reference sets, computed once per metric."""
        if self._reference is None:
            heldout = CaptionedDigitsDataset(self.source, "heldout", self.image_size)
            real = CaptionedDigitsDataset(
                self.source, "train", self.image_size, num_samples=len(heldout)
            )
            _, heldout_feats = classifier_outputs(self.classifier, heldout.images)
            real_preds, real_feats = classifier_outputs(self.classifier, real.images)
            self._reference = dict(
                heldout_feats=heldout_feats,
                real_feats=real_feats,
                real_accuracy=float((real_preds == real.labels.numpy()).mean() * 100),
            )
        return self._reference

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        """Keeps each sample (C, H, W) and its caption's digit."""
        for item in data_samples:
            self.results.append((item["samples"].cpu(), int(item["label"])))

    def compute_metrics(self, results: list) -> dict:
        """Sample accuracy (%) and FD to held-out, with their real-data references.

        ``accuracy_real`` is the classifier's accuracy on real train images, ``fd_real``
        the FD of as many real train images to held-out: what a perfect generator scores.
        """
        images = torch.stack([s for s, _ in results])
        labels = np.array([y for _, y in results])
        preds, feats = classifier_outputs(self.classifier, images)
        ref = self.reference()
        return dict(
            accuracy=float((preds == labels).mean() * 100),
            fd=frechet_distance(feats, ref["heldout_feats"]),
            accuracy_real=ref["real_accuracy"],
            fd_real=frechet_distance(ref["real_feats"][: len(feats)], ref["heldout_feats"]),
            num_samples=len(results),
        )
