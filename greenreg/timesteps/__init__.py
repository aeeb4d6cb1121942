"""Time samplers: where on the path each training example is taken."""

from greenreg.timesteps.base import BaseTimeSampler
from greenreg.timesteps.curriculum import CurriculumTimeSampler, build_time_sampler
from greenreg.timesteps.discrete_uniform import DiscreteUniformTimeSampler
from greenreg.timesteps.logit_normal import LogitNormalTimeSampler
from greenreg.timesteps.logit_student_t import LogitStudentTTimeSampler
from greenreg.timesteps.logsnr_uniform import LogSNRUniformTimeSampler
from greenreg.timesteps.two_stage import TwoStageTimeSampler
from greenreg.timesteps.uniform import UniformTimeSampler

__all__ = [
    "BaseTimeSampler",
    "CurriculumTimeSampler",
    "DiscreteUniformTimeSampler",
    "LogitNormalTimeSampler",
    "LogitStudentTTimeSampler",
    "LogSNRUniformTimeSampler",
    "TwoStageTimeSampler",
    "UniformTimeSampler",
    "build_time_sampler",
]
