"""Evaluation: the digit classifier, FD, KID, pixel statistics, the sample metric, LDOS."""

from greenreg.evaluation.digit_classifier import (
    DEFAULT_CLASSIFIER_PATH,
    DigitClassifier,
    load_digit_classifier,
)
from greenreg.evaluation.digit_sample_metric import DigitSampleMetric, classifier_outputs
from greenreg.evaluation.frechet import frechet_distance
from greenreg.evaluation.kernel_distance import kernel_distance
from greenreg.evaluation.ldos_consistency import LDOSRecomputer, pearson, relative_l2
from greenreg.evaluation.pixel_statistics import PixelStatistics, pixel_statistics

__all__ = [
    "DEFAULT_CLASSIFIER_PATH",
    "DigitClassifier",
    "DigitSampleMetric",
    "LDOSRecomputer",
    "PixelStatistics",
    "classifier_outputs",
    "frechet_distance",
    "kernel_distance",
    "load_digit_classifier",
    "pearson",
    "pixel_statistics",
    "relative_l2",
]
