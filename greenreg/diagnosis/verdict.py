"""A hypothesis' verdict, and the number formatting its evidence shares."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass


@dataclass
class Verdict:
    """The outcome of testing one hypothesis against a run's records.

    Attributes:
        key (str): the hypothesis' letter, ``"A"`` .. ``"H"``.
        title (str): what the hypothesis claims is wrong.
        accepted (bool): True when the records support it (the run shows this fault).
        evidence (list[str]): the numbers behind the verdict, each with its rule.
        conclusion (str): one sentence: what the verdict means for the run.
    """

    key: str
    title: str
    accepted: bool
    evidence: list[str]
    conclusion: str

    @property
    def label(self) -> str:
        """``"ACCEPTED"`` or ``"REJECTED"``."""
        return "ACCEPTED" if self.accepted else "REJECTED"


def fmt(value: float) -> str:
    """A number with 4 significant digits; NaN and Inf spelt out."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return f"{value:.4g}"


def span(values: list[float]) -> str:
    """``[min, max]`` of the finite values, or ``[none finite]``."""
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return "[none finite]"
    return f"[{fmt(min(finite))}, {fmt(max(finite))}]"


def finite(values: list[float]) -> list[float]:
    """The finite values, in order."""
    return [v for v in values if math.isfinite(v)]


def median(values: list[float]) -> float:
    """Median of the finite values, NaN if there is none."""
    values = finite(values)
    return statistics.median(values) if values else math.nan


def tenth(values: list[float], last: bool) -> list[float]:
    """The first (or last) 10% of a series, at least one value."""
    size = max(1, len(values) // 10)
    return values[-size:] if last else values[:size]
