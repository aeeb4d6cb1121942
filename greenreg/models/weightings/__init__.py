"""Loss weightings over time, separate from the losses they scale."""

from greenreg.models.weightings.min_snr import MinSNRWeighting

__all__ = ["MinSNRWeighting"]
