"""Probability paths: how x_t and its velocity target are built from (x0, x1, t)."""

from greenreg.paths.base import BaseProbabilityPath, PathSample
from greenreg.paths.linear import LinearPath

__all__ = ["BaseProbabilityPath", "LinearPath", "PathSample"]
