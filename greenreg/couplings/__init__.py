"""Couplings: how sources x0 and data x1 are paired in a training batch."""

from greenreg.couplings.base import BaseCoupling, CouplingPlan
from greenreg.couplings.independent import IndependentCoupling

__all__ = ["BaseCoupling", "CouplingPlan", "IndependentCoupling"]
