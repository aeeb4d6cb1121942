"""Weight averaging (EMA) models for mmengine's EMAHook."""

from greenreg.models.averaging.foreach_ema import ForeachMomentumAnnealingEMA

__all__ = ["ForeachMomentumAnnealingEMA"]
