"""Losses: per-sample values of shape (B,); generators weight and reduce them."""

from greenreg.models.losses.classifier_perceptual import ClassifierPerceptualLoss
from greenreg.models.losses.cosine_distance import CosineDistanceLoss
from greenreg.models.losses.distance_matrix import DistanceMatrixLoss
from greenreg.models.losses.flow_mse import FlowMSELoss
from greenreg.models.losses.gaussian_kl import GaussianKLLoss
from greenreg.models.losses.info_nce import InfoNCELoss
from greenreg.models.losses.log_cosh import LogCoshLoss
from greenreg.models.losses.lpips_loss import LPIPSLoss
from greenreg.models.losses.multiscale_mse import MultiScaleMSELoss
from greenreg.models.losses.pseudo_huber import PseudoHuberLoss
from greenreg.models.losses.total_variation import TotalVariationLoss

__all__ = [
    "ClassifierPerceptualLoss",
    "CosineDistanceLoss",
    "DistanceMatrixLoss",
    "FlowMSELoss",
    "GaussianKLLoss",
    "InfoNCELoss",
    "LogCoshLoss",
    "LPIPSLoss",
    "MultiScaleMSELoss",
    "PseudoHuberLoss",
    "TotalVariationLoss",
]
