"""Time grids: where samplers evaluate the model between noise (t=0) and data (t=1)."""

from greenreg.timegrids.base import BaseTimeGrid
from greenreg.timegrids.ddpm_spacing import DDPMSpacingTimeGrid
from greenreg.timegrids.karras import KarrasTimeGrid
from greenreg.timegrids.log_snr_uniform import LogSNRUniformTimeGrid
from greenreg.timegrids.uniform import UniformTimeGrid

__all__ = [
    "BaseTimeGrid",
    "DDPMSpacingTimeGrid",
    "KarrasTimeGrid",
    "LogSNRUniformTimeGrid",
    "UniformTimeGrid",
]
