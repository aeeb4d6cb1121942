"""Saves a PNG grid of the images generated during validation (EMA weights under EMAHook)."""

from __future__ import annotations

import os

import mmcv
import torch
from mmengine.dist import collect_results, get_world_size, is_main_process
from mmengine.hooks import Hook

from greenreg.registry import HOOKS
from greenreg.visualization import sample_grid


@HOOKS.register_module()
class SampleGridHook(Hook):
    """Collects the samples the val loop generates and writes them as one grid per run.

    The val loop runs with EMAHook's averaged weights swapped in, so the grid shows what
    "infer with EMA" gives. One row per digit caption, ``per_row`` samples each. Under DDP
    and FSDP every rank samples its share of the prompts; the grid shows all of them.

    Args:
        per_row (int): samples shown per caption.
        prefix (str): file name stem; the file is ``<work_dir>/<prefix>_iter_<N>.png``.

    Example:
        ``custom_hooks = [dict(type='SampleGridHook', per_row=8)]``
    """

    def __init__(self, per_row: int = 8, prefix: str = "samples_ema") -> None:
        if per_row < 1:
            raise ValueError(
                f"SampleGridHook.per_row (custom_hooks): expected an int >= 1, got {per_row}."
            )
        self.per_row, self.prefix = per_row, prefix
        self._samples: list = []
        self._labels: list[int] = []

    def before_val_epoch(self, runner) -> None:
        """Starts a new grid."""
        self._samples, self._labels = [], []

    def after_val_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        """Keeps the batch's samples and labels."""
        for item in outputs or []:
            self._samples.append(item["samples"].cpu())
            self._labels.append(int(item["label"]))

    def after_val_epoch(self, runner, metrics=None) -> None:
        """Gathers every rank's samples, writes the grid PNG and hands it to the visualizer."""
        pairs = list(zip(self._samples, self._labels))
        if get_world_size() > 1:  # a collective: every rank takes part
            # DefaultSampler deals the prompts round-robin; collect_results puts them back
            # in dataset order and drops the padding
            size = len(runner.val_dataloader.dataset)
            pairs = collect_results(pairs, size, device="gpu")  # all_gather_object, any device
        if not pairs or not is_main_process():
            return
        samples, labels = zip(*pairs)
        image = sample_grid(torch.stack(samples), list(labels), self.per_row)
        mmcv.imwrite(
            image[..., ::-1], os.path.join(runner.work_dir, f"{self.prefix}_iter_{runner.iter}.png")
        )
        runner.visualizer.add_image(self.prefix, image, step=runner.iter)
