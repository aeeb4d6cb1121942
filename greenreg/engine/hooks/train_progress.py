"""Hands the training progress to the model with every batch."""

from __future__ import annotations

from mmengine.dist import get_world_size
from mmengine.hooks import Hook

from greenreg.registry import HOOKS
from greenreg.schedules.base import TrainProgress


@HOOKS.register_module()
class TrainProgressHook(Hook):
    """Adds ``progress`` (iteration, images seen) to each training batch.

    Schedules (loss weights, Sinkhorn epsilon, curricula) read it from the model's inputs:
    the iteration reaches the model explicitly, through the batch that DDP and FSDP
    wrappers pass on unchanged, not through a global. Images seen count every rank's batch.

    Example:
        ``custom_hooks = [dict(type='TrainProgressHook')]``
    """

    priority = "VERY_HIGH"

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        """Sets ``data_batch['progress']`` for the step about to run."""
        if not isinstance(data_batch, dict):
            raise TypeError(
                f"TrainProgressHook (custom_hooks): expected dict batches (default_collate of "
                f"dict samples), got {type(data_batch).__name__}."
            )
        batch_size = runner.train_dataloader.batch_size or len(data_batch["inputs"])
        data_batch["progress"] = TrainProgress(
            iteration=runner.iter, images_seen=runner.iter * batch_size * get_world_size()
        )
