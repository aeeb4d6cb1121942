"""Loss weightings over time, separate from the losses they scale."""

from greenreg.models.weightings.min_snr import MinSNRWeighting
from greenreg.models.weightings.velocity_loss import VelocityLossWeighting

__all__ = ["MinSNRWeighting", "VelocityLossWeighting"]
