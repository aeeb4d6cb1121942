"""Small shared helpers."""

from greenreg.utils.checks import check_in_range, check_int

__all__ = ["check_in_range", "check_int"]
