"""Evaluation: the digit classifier, Frechet distance and the sample metric."""

from greenreg.evaluation.digit_classifier import (
    DEFAULT_CLASSIFIER_PATH,
    DigitClassifier,
    load_digit_classifier,
)
from greenreg.evaluation.digit_sample_metric import DigitSampleMetric, classifier_outputs
from greenreg.evaluation.frechet import frechet_distance

__all__ = [
    "DEFAULT_CLASSIFIER_PATH",
    "DigitClassifier",
    "DigitSampleMetric",
    "classifier_outputs",
    "frechet_distance",
    "load_digit_classifier",
]
