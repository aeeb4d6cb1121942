"""Refuses to resume or load from a checkpoint of another architecture, or loads what fits."""

from __future__ import annotations

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from torch.distributed.fsdp import FullyShardedDataParallel

from greenreg.engine.checkpoint import check_state_dict_fits, matching_state_dict
from greenreg.registry import HOOKS


@HOOKS.register_module()
class CheckpointCompatibilityHook(Hook):
    """Checks a loaded checkpoint's weights against the model before they are used.

    mmengine's ``Runner.resume`` and ``load_from`` load non-strictly: missing keys and
    size mismatches only log a warning and training goes on from partly random weights.
    By default this hook raises ``CheckpointError`` naming the first mismatches instead,
    before any weight is touched and before anything is written to the work dir.

    With ``allow_partial`` (after an architecture change, for ``load_from``; seed 000's
    fallback) every tensor whose key and shape match is loaded, the others are dropped
    from the checkpoint and reported (skipped and mismatched keys, logged as a warning),
    and a checkpoint covering less than ``min_matched_fraction`` of the model's elements
    is still refused; set it to 0 to load whatever matches.

    Args:
        allow_partial (bool): load the matching tensors instead of refusing.
        min_matched_fraction (float): the least share of the model's elements that must
            match under ``allow_partial``, in [0, 1].

    Example:
        ``dict(type='CheckpointCompatibilityHook', allow_partial=True)``
    """

    # before EMAHook (NORMAL), which would otherwise fail first with a less clear message
    priority = "VERY_HIGH"

    def __init__(self, allow_partial: bool = False, min_matched_fraction: float = 0.5) -> None:
        if not 0 <= min_matched_fraction <= 1:
            raise ValueError(
                f"CheckpointCompatibilityHook.min_matched_fraction (custom_hooks): expected a "
                f"float in [0, 1], got {min_matched_fraction}."
            )
        self.allow_partial, self.min_matched_fraction = allow_partial, min_matched_fraction

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """Raises if ``checkpoint['state_dict']`` does not fit (or keeps what fits)."""
        if isinstance(runner.model, FullyShardedDataParallel):
            # a sharded model's parameters are flat shards; ShardedCheckpointFSDPStrategy
            # loads through torch.distributed.checkpoint, which matches names and shapes
            return
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        state = checkpoint.get("state_dict", {})
        if not self.allow_partial:
            check_state_dict_fits(state, model, "the loaded checkpoint")
            return
        kept, match = matching_state_dict(
            state, model, "the loaded checkpoint", self.min_matched_fraction
        )
        checkpoint["state_dict"] = kept
        if "ema_state_dict" in checkpoint and not match.exact:
            # the averaged copy has the old architecture too: start it from the loaded weights
            checkpoint.pop("ema_state_dict")
        if not match.exact:
            runner.logger.warning(
                f"CheckpointCompatibilityHook: loaded {len(match.matched)} matching tensors "
                f"({match.matched_fraction:.1%} of the model's elements); skipped "
                f"{match.describe()}"
            )
