"""Weight averaging (EMA) models for mmengine's EMAHook."""

from greenreg.models.averaging.foreach_ema import ForeachMomentumAnnealingEMA
from greenreg.models.averaging.half_life_ema import HalfLifeEMA

__all__ = ["ForeachMomentumAnnealingEMA", "HalfLifeEMA"]
