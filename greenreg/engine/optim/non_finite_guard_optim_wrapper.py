"""An OptimWrapper that skips the optimizer step when a gradient is NaN or Inf."""

from __future__ import annotations

import torch
from mmengine.dist import get_world_size
from mmengine.logging import print_log
from mmengine.optim import OptimWrapper
from torch import Tensor

from greenreg.registry import OPTIM_WRAPPERS


def first_non_finite(grads: list[Tensor]) -> int | None:
    """Index of the first gradient with a NaN/Inf entry, or None: one fused norm, one sync.

    Under several processes the verdict is agreed by all (FSDP ranks hold different shards):
    a rank that skips while another steps would leave the shards out of step.
    """
    if not grads:
        return None
    norms = torch.stack(torch._foreach_norm(grads))
    finite = torch.isfinite(norms)
    all_finite = finite.all().float()
    if get_world_size() > 1:
        torch.distributed.all_reduce(all_finite, op=torch.distributed.ReduceOp.MIN)
    if bool(all_finite):  # the one host sync
        return None
    bad = (~finite).nonzero()
    return int(bad[0]) if len(bad) else -1  # -1: another rank's shard


@OPTIM_WRAPPERS.register_module()
class NonFiniteGuardOptimWrapper(OptimWrapper):
    """mmengine's OptimWrapper, but a step with a non-finite gradient is skipped.

    The weights and the optimizer's moments stay as they were; the gradients are zeroed as
    after any step. The skip is logged, counted in ``train/skipped_steps`` and exposed as
    :attr:`skipped_last_step` and :attr:`non_finite_param` (the first offending parameter),
    which NonFiniteGuardHook reads to stop a run that keeps failing.

    Args:
        skip_non_finite (bool): check the gradients before every step.
        **kwargs: OptimWrapper arguments (``optimizer``, ``clip_grad``, ...).

    Example:
        ``optim_wrapper = dict(type='NonFiniteGuardOptimWrapper', optimizer=...)``
    """

    def __init__(self, skip_non_finite: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.skip_non_finite = bool(skip_non_finite)
        self.skipped_last_step = False
        self.non_finite_param: Tensor | None = None
        self.skipped_steps = 0

    def _grads(self) -> tuple[list[Tensor], list[Tensor]]:
        params = [p for g in self.optimizer.param_groups for p in g["params"] if p.grad is not None]
        return params, [p.grad for p in params]

    def _fuses_clip(self, params: list[Tensor]) -> bool:
        """Whether one norm pass serves both the check and clipping (L2 norm, one process)."""
        kwargs = self.clip_grad_kwargs
        return (
            self.skip_non_finite
            and self.clip_func is torch.nn.utils.clip_grad_norm_
            and set(kwargs) <= {"max_norm", "norm_type", "foreach"}
            and float(kwargs.get("norm_type", 2.0)) == 2.0
            and get_world_size() == 1
            and all(p.requires_grad for p in params)
        )

    def _checked_clip(self, params: list[Tensor], grads: list[Tensor]) -> int | None:
        """Clips as ``clip_grad_norm_`` does unless a gradient is non-finite: one host read.

        Returns:
            int | None: index of the first non-finite gradient, or None after clipping.
        """
        norms = torch.stack(torch._foreach_norm(grads))  # (P,)
        total = torch.linalg.vector_norm(norms)  # clip_grad_norm_'s total, bit for bit
        # the step's one device -> host read: the verdict and the logged norm together
        flags = torch.stack([torch.isfinite(norms).all().to(total.dtype), total])
        all_finite, total_value = flags.tolist()
        if not all_finite:
            return int((~torch.isfinite(norms)).nonzero()[0])
        foreach = self.clip_grad_kwargs.get("foreach")
        max_norm = self.clip_grad_kwargs["max_norm"]
        torch.nn.utils.clip_grads_with_norm_(params, max_norm, total, foreach=foreach)
        self.message_hub.update_scalar(f"train/{self.grad_name}", total_value)
        return None

    def step(self, **kwargs) -> None:
        """Steps, unless a gradient is non-finite (then nothing changes but the count)."""
        self.skipped_last_step, self.non_finite_param = False, None
        params, grads = self._grads() if self.skip_non_finite else ([], [])
        if grads and self.clip_grad_kwargs and self._fuses_clip(params):
            index = self._checked_clip(params, grads)
            if index is not None:
                self._skip(params[index])
                return
            self.optimizer.step(**kwargs)  # clipped above: OptimWrapper.step minus the clip
            return
        if self.skip_non_finite:
            index = first_non_finite(grads)
            if index is not None:
                self._skip(params[index] if index >= 0 else None)
                return
        super().step(**kwargs)

    def _skip(self, param: Tensor | None) -> None:
        self.skipped_last_step, self.non_finite_param = True, param
        self.skipped_steps += 1
        self.message_hub.update_scalar("train/skipped_steps", self.skipped_steps)
        print_log(
            f"{type(self).__name__}: non-finite gradient; optimizer step skipped "
            f"({self.skipped_steps} so far).",
            logger="current",
            level=30,
        )
