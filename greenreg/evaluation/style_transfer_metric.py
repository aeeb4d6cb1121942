"""Judges style transfer against the ground truth: structure, detail, artifacts and style."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from torch import Tensor

from greenreg.datasets.digit_styles import STYLES
from greenreg.evaluation.digit_sample_metric import classifier_outputs
from greenreg.evaluation.frechet import frechet_distance
from greenreg.evaluation.kernel_distance import kernel_distance
from greenreg.evaluation.style_classifier import load_style_classifier
from greenreg.evaluation.style_transfer import (
    artifact_rate,
    edge_sharpness,
    high_frequency_psnr,
    structure_psnr,
)
from greenreg.registry import METRICS


@METRICS.register_module()
class StyleTransferMetric(BaseMetric):
    """Scores each output against its ground-truth rendering, and the set against the truth's.

    For a val dataset of (``source``, ``inputs``, ``label``) pairs (StyledDigitsDataset):
    the generated ``samples`` (from the model's predictions) are compared with the batch's
    ``inputs`` (the requested style's true rendering of the same digit). Per-sample
    definitions are in :mod:`greenreg.evaluation.style_transfer`. Keys:

    - ``structure_psnr`` / ``structure_psnr_std``: mean / standard deviation (ddof 0) over
      samples of the PSNR (dB, capped at 100); ``structure_psnr_<style>``: mean per style
      present;
    - ``hf_psnr``: mean high-frequency PSNR (dB);
    - ``artifact_rate``: mean share of pixels off by more than ``artifact_threshold``, in %;
    - ``edge_sharpness``: mean ratio of edge gradients (1 = as sharp as the truth);
    - ``style_accuracy``: % of outputs the style classifier assigns the requested style;
    - ``style_fid`` / ``style_kid``: Frechet distance / KID between style-classifier
      features (128-d) of the outputs and of their ground truths (NaN below 2 samples).

    Args:
        classifier_path (str | None): style classifier weights (None: the shipped file).
        artifact_threshold (float): absolute error on the [0, 1] scale that makes an
            artifact pixel.
        collect_device (str): mmengine's device for gathering results.
        prefix (str | None): key prefix (default ``style``).

    Example:
        ``val_evaluator = dict(type='StyleTransferMetric')``
    """

    default_prefix = "style"

    def __init__(
        self,
        classifier_path: str | None = None,
        artifact_threshold: float = 0.25,
        collect_device: str = "cpu",
        prefix: str | None = None,
    ) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if not 0 <= artifact_threshold < 1:
            raise ValueError(
                f"StyleTransferMetric.artifact_threshold (val_evaluator.artifact_threshold): "
                f"out of range; expected a float in [0, 1), got {artifact_threshold}."
            )
        self.classifier = load_style_classifier(classifier_path)
        self.artifact_threshold = artifact_threshold

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Keeps (output (C, H, W), ground truth (C, H, W), style index) per sample.

        Args:
            data_batch (dict): the collated val batch: ``inputs`` (B, C, H, W) ground
                truths in [-1, 1] and ``label`` (B,) style indices.
            data_samples (Sequence[dict]): the model's predictions, ``samples`` (C, H, W).

        Raises:
            KeyError: the batch lacks ``inputs`` or ``label``.
        """
        missing = [k for k in ("inputs", "label") if k not in data_batch]
        if missing:
            raise KeyError(
                f"StyleTransferMetric (val_evaluator): the val batch has no {missing}; expected "
                f"a paired dataset such as StyledDigitsDataset, got keys {sorted(data_batch)}."
            )
        labels = torch.as_tensor(data_batch["label"]).tolist()
        for item, truth, style in zip(data_samples, data_batch["inputs"], labels):
            self.results.append((item["samples"].detach().cpu(), truth.cpu(), int(style)))

    def compute_metrics(self, results: list) -> dict:
        """The scores of all processed samples (see the class docstring)."""
        outputs = torch.stack([o for o, _, _ in results]).float()
        truths = torch.stack([t for _, t, _ in results]).float()
        return self.score(outputs, truths, np.array([s for _, _, s in results]))

    def score(self, outputs: Tensor, truths: Tensor, styles: np.ndarray) -> dict:
        """The metric's dict.

        Args:
            outputs (Tensor): generated images, shape (N, 1, H, W), in [-1, 1].
            truths (Tensor): their ground-truth renderings, same shape, in [-1, 1].
            styles (np.ndarray): requested style indices into ``STYLES``, shape (N,).

        Returns:
            dict: the keys of the class docstring, plus ``num_samples``.
        """
        psnr = structure_psnr(outputs, truths).numpy()
        preds, feats = classifier_outputs(self.classifier, outputs)
        _, truth_feats = classifier_outputs(self.classifier, truths)
        enough = len(outputs) >= 2
        scores = dict(
            structure_psnr=float(psnr.mean()),
            structure_psnr_std=float(psnr.std()),
            hf_psnr=float(high_frequency_psnr(outputs, truths).mean()),
            artifact_rate=float(artifact_rate(outputs, truths, self.artifact_threshold).mean())
            * 100,
            edge_sharpness=float(np.nanmean(edge_sharpness(outputs, truths).numpy())),
            style_accuracy=float((preds == styles).mean() * 100),
            style_fid=frechet_distance(feats, truth_feats) if enough else math.nan,
            style_kid=kernel_distance(feats, truth_feats) if enough else math.nan,
            num_samples=len(outputs),
        )
        for index, name in enumerate(STYLES):
            if (styles == index).any():
                scores[f"structure_psnr_{name}"] = float(psnr[styles == index].mean())
        return scores
