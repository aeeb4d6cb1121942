"""An iteration-based training loop that resumes without replaying the data."""

from __future__ import annotations

import logging

from mmengine.logging import print_log
from mmengine.runner import IterBasedTrainLoop
from mmengine.runner.loops import _InfiniteDataloaderIterator

from greenreg.registry import LOOPS


@LOOPS.register_module()
class FastResumeIterBasedTrainLoop(IterBasedTrainLoop):
    """mmengine's IterBasedTrainLoop, but a resumed run skips trained batches by index.

    mmengine advances the dataloader by loading every batch already trained on (#1520).
    With a sampler that has ``skip_samples`` (ResumableInfiniteSampler) this loop moves the
    sampler to iteration x per-rank batch size and rebuilds the iterator: the same batches
    follow, in the same order, without loading the skipped ones. Any other sampler falls
    back to mmengine's replay, with a warning. Arguments are IterBasedTrainLoop's.

    Example:
        ``train_cfg = dict(type='FastResumeIterBasedTrainLoop', max_iters=1500)``
    """

    def run(self):
        """Launch training (mmengine's loop body, with the replay replaced)."""
        self.runner.call_hook("before_train")
        self.runner.call_hook("before_train_epoch")
        if self._iter > 0:
            self._skip_trained_batches()
        while self._iter < self._max_iters and not self.stop_training:
            self.runner.model.train()
            self.run_iter(next(self.dataloader_iterator))
            self._decide_current_val_interval()
            if (
                not self.stop_training  # a preemption stop saves and leaves at once
                and self.runner.val_loop is not None
                and self._iter >= self.val_begin
                and (self._iter % self.val_interval == 0 or self._iter == self._max_iters)
            ):
                self.runner.val_loop.run()
        self.runner.call_hook("after_train_epoch")
        self.runner.call_hook("after_train")
        return self.runner.model

    def _skip_trained_batches(self) -> None:
        sampler = getattr(self.dataloader, "sampler", None)
        if not hasattr(sampler, "skip_samples") or self.dataloader.batch_size is None:
            print_log(
                f"FastResumeIterBasedTrainLoop: {type(sampler).__name__} cannot skip; "
                f"replaying {self._iter} batches (use ResumableInfiniteSampler).",
                logger="current",
                level=logging.WARNING,
            )
            for _ in range(self._iter):
                next(self.dataloader_iterator)
            return
        sampler.skip_samples(self._iter * self.dataloader.batch_size)
        # the old iterator may have prefetched from the start of the stream
        self.dataloader_iterator = _InfiniteDataloaderIterator(self.dataloader)
        print_log(
            f"FastResumeIterBasedTrainLoop: resumed at iteration {self._iter} by index, "
            f"no batch replayed.",
            logger="current",
        )
