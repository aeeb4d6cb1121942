"""Small shared helpers."""

from greenreg.utils.checks import check_in_range

__all__ = ["check_in_range"]
