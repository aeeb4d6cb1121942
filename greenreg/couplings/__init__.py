"""Couplings: how sources x0 and data x1 are paired in a training batch (POT underneath)."""

from greenreg.couplings.base import BaseCoupling, CouplingPlan
from greenreg.couplings.condition_aware import ConditionAwareCoupling
from greenreg.couplings.exact_ot import ExactOTCoupling
from greenreg.couplings.fgw import FGWCoupling, FGWPlan
from greenreg.couplings.independent import IndependentCoupling
from greenreg.couplings.sinkhorn import SinkhornCoupling, sample_permutation

__all__ = [
    "BaseCoupling",
    "ConditionAwareCoupling",
    "CouplingPlan",
    "ExactOTCoupling",
    "FGWCoupling",
    "FGWPlan",
    "IndependentCoupling",
    "SinkhornCoupling",
    "sample_permutation",
]
