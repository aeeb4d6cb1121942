"""Evaluation: classifiers, FD, KID, precision/recall, pixel and style-transfer metrics, LDOS."""

from greenreg.evaluation.digit_classifier import (
    DEFAULT_CLASSIFIER_PATH,
    DigitClassifier,
    load_digit_classifier,
)
from greenreg.evaluation.digit_sample_metric import DigitSampleMetric, classifier_outputs
from greenreg.evaluation.feature_extractors import (
    ClassifierFeatureExtractor,
    DINOv2FeatureExtractor,
    FeatureExtractor,
    InceptionFeatureExtractor,
)
from greenreg.evaluation.frechet import frechet_distance
from greenreg.evaluation.kernel_distance import kernel_distance
from greenreg.evaluation.ldos_consistency import LDOSRecomputer, pearson, relative_l2
from greenreg.evaluation.pixel_statistics import PixelStatistics, pixel_statistics
from greenreg.evaluation.precision_recall import PrecisionRecall, precision_recall
from greenreg.evaluation.style_classifier import (
    DEFAULT_STYLE_CLASSIFIER_PATH,
    load_style_classifier,
)
from greenreg.evaluation.style_transfer import (
    artifact_rate,
    edge_sharpness,
    high_frequency_psnr,
    structure_psnr,
)
from greenreg.evaluation.style_transfer_metric import StyleTransferMetric

__all__ = [
    "DEFAULT_CLASSIFIER_PATH",
    "DEFAULT_STYLE_CLASSIFIER_PATH",
    "ClassifierFeatureExtractor",
    "DINOv2FeatureExtractor",
    "DigitClassifier",
    "DigitSampleMetric",
    "FeatureExtractor",
    "InceptionFeatureExtractor",
    "LDOSRecomputer",
    "PixelStatistics",
    "PrecisionRecall",
    "StyleTransferMetric",
    "artifact_rate",
    "classifier_outputs",
    "edge_sharpness",
    "frechet_distance",
    "high_frequency_psnr",
    "kernel_distance",
    "load_digit_classifier",
    "load_style_classifier",
    "pearson",
    "pixel_statistics",
    "precision_recall",
    "relative_l2",
    "structure_psnr",
]
