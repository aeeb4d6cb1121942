"""Training loops greenreg adds to mmengine's."""

from greenreg.engine.runner.fast_resume_loop import FastResumeIterBasedTrainLoop

__all__ = ["FastResumeIterBasedTrainLoop"]
