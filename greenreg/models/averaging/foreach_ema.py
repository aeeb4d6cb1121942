"""mmengine's momentum-annealing EMA, updated with one fused call instead of a loop."""

from __future__ import annotations

import torch
from mmengine.model import MomentumAnnealingEMA
from torch import nn

from greenreg.registry import MODELS


@MODELS.register_module()
class ForeachMomentumAnnealingEMA(MomentumAnnealingEMA):
    """The same averages as ``MomentumAnnealingEMA``, computed with ``torch._foreach_lerp_``.

    mmengine's version reads ``self.steps.item()`` once per parameter tensor (a GPU sync
    each) and launches one kernel per tensor; this reads the step once and updates every
    tensor in one fused call. momentum_t = max(momentum, gamma / (gamma + step)), where
    mmengine's ``momentum`` is the weight of the new value (EMA 0.999 = momentum 0.001).

    Example:
        ``dict(type='EMAHook', ema_type='ForeachMomentumAnnealingEMA', momentum=0.001, gamma=20)``
    """

    def momentum_at(self, steps: int) -> float:
        """The weight of the new value in the update after ``steps`` updates."""
        return max(self.momentum, self.gamma / (self.gamma + steps))

    @torch.no_grad()
    def update_parameters(self, model: nn.Module) -> None:
        """Moves every averaged tensor towards ``model``'s by the annealed momentum."""
        source = model.state_dict() if self.update_buffers else dict(model.named_parameters())
        steps = int(self.steps)  # the only host read of the update
        if steps == 0:
            for key, avg in self.avg_parameters.items():
                avg.data.copy_(source[key].data)
        elif steps % self.interval == 0:
            keys = [k for k, p in self.avg_parameters.items() if p.dtype.is_floating_point]
            averaged = [self.avg_parameters[k].data for k in keys]
            current = [source[k].data.to(a.device) for k, a in zip(keys, averaged)]
            torch._foreach_lerp_(averaged, current, self.momentum_at(steps))
        if not self.update_buffers:
            for b_avg, b_src in zip(self.module.buffers(), model.buffers()):
                b_avg.data.copy_(b_src.data.to(b_avg.device))
        self.steps += 1
