"""Training progress in kimg, one JSON line per tick, as EDM/StyleGAN's training loops log it."""

from __future__ import annotations

import json
import math
import os
import time

from mmengine.dist import get_world_size, is_main_process
from mmengine.hooks import Hook

from greenreg.engine.hooks.loss_ema import LossEMAHook
from greenreg.registry import HOOKS


def json_number(value) -> float | None:
    """``value`` (Python, numpy or one-element torch number) as a strict-JSON number.

    Returns:
        float | None: the value as a float; None (JSON null) for NaN and +-inf, which
        strict JSON cannot represent (``json.dumps`` would write the invalid ``NaN``).
    """
    if hasattr(value, "detach"):
        value = value.detach()
    value = float(value)
    return value if math.isfinite(value) else None


# written apart (lr of the first group, timings as means over the tick)
TIMINGS = ("train/lr", "train/time", "train/data_time")


@HOOKS.register_module()
class KimgStatsHook(Hook):
    """Every ``kimg_per_tick`` thousand training images, appends a JSON line of statistics.

    Images seen = iterations x global batch size (the train dataloader's batch size x the
    world size), the count TrainProgressHook hands to the schedules. Tick ``n`` is reported
    by the first iteration whose images seen reach ``n * kimg_per_tick`` kimg; one
    iteration that crosses several boundaries reports once, with the newest tick number.
    Each line of ``<work_dir>/<filename>`` (main process only) holds:

    - ``tick`` (int): ticks passed since iteration 0 (1 at ``kimg_per_tick``).
    - ``kimg`` (float): thousands of images seen, rounded to 3 decimals.
    - ``iter`` (int): iterations completed (mmengine's 1-based logged iteration).
    - ``sec_per_kimg`` (float): wall seconds per kimg since the previous report (or since
      training started in this process).
    - ``total_sec`` (float): wall seconds since training started in this process.
    - ``lr`` (float): learning rate of the first parameter group.
    - every other ``train/*`` scalar of the message hub, latest value, without ``train/``
      (``loss``, ``loss_flow``, ``loss_flow_ema`` of LossEMAHook, ``grad_norm``, what a
      model logs beside its losses such as ``coupling_epsilon``).
    - ``time``, ``data_time`` (float): mean seconds per iteration over the tick's
      iterations, as IterTimerHook measured them (absent without IterTimerHook).

    Non-finite numbers are written as ``null``. The file is opened in append mode and
    flushed line by line: a killed run keeps every complete line, and a resumed run
    continues the tick count from the images already seen without truncating the file.
    Ticks reported after the checkpoint a run resumes from are reported again by the
    resumed run: readers keep the last line of each tick.

    Args:
        kimg_per_tick (float): thousands of images between reports, > 0.
        filename (str): JSON-lines file appended to in the work dir.

    Raises:
        ValueError: a non-positive (or non-finite) ``kimg_per_tick``, or a ``filename``
            that is not a plain file name.

    Example:
        ``custom_hooks = [dict(type='KimgStatsHook', kimg_per_tick=4.0)]``
    """

    # after IterTimerHook (NORMAL) and LossEMAHook (BELOW_NORMAL): their scalars of this
    # iteration are in the message hub when the line is written
    priority = "LOW"

    def __init__(self, kimg_per_tick: float = 1.0, filename: str = "stats.jsonl") -> None:
        if (
            not isinstance(kimg_per_tick, (int, float))
            or isinstance(kimg_per_tick, bool)
            or not kimg_per_tick > 0
        ):
            raise ValueError(
                f"KimgStatsHook.kimg_per_tick (custom_hooks[].kimg_per_tick): must be positive; "
                f"expected a float > 0, got {kimg_per_tick!r}."
            )
        if math.isinf(kimg_per_tick):
            raise ValueError(
                f"KimgStatsHook.kimg_per_tick (custom_hooks[].kimg_per_tick): must be finite "
                f"(an infinite tick never ends); expected a float > 0, got {kimg_per_tick!r}."
            )
        if not isinstance(filename, str) or not filename or os.sep in filename:
            raise ValueError(
                f"KimgStatsHook.filename (custom_hooks[].filename): must be a plain file name "
                f"(it is written in the work dir); expected a str without {os.sep!r}, "
                f"got {filename!r}."
            )
        self.kimg_per_tick = float(kimg_per_tick)
        self.filename = filename
        self._tick: int | None = None  # last tick passed; None until the batch size is known
        self._tick_iter = 0  # iterations completed at the previous report (or at the start)
        self._tick_kimg = 0.0
        self._start_time = self._tick_time = time.perf_counter()

    def before_train(self, runner) -> None:
        """Starts the clocks; a resumed run's tick count continues from its images seen."""
        self._start_time = self._tick_time = time.perf_counter()
        self._tick_iter = runner.iter
        self._tick = None
        batch_size = self._global_batch_size(runner)
        if batch_size is not None:
            self._start_ticks(batch_size)
        if is_main_process():
            self._end_partial_line(os.path.join(runner.work_dir, self.filename))

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        """Writes a line (and logs it) when this iteration passed a tick boundary."""
        batch_size = self._global_batch_size(runner, data_batch)
        if batch_size is None:
            return
        if self._tick is None:
            self._start_ticks(batch_size)
        done = runner.iter + 1  # runner.iter counts up only after the after_train_iter hooks
        kimg = done * batch_size / 1000
        tick = self._tick_of(kimg)
        if tick <= self._tick:
            return
        now = time.perf_counter()
        for hook in runner.hooks:  # LossEMAHook keeps its terms on the device between logs
            if isinstance(hook, LossEMAHook):
                hook.flush(runner)
        record = self._record(runner, tick, done, kimg, now) if is_main_process() else None
        self._tick, self._tick_iter, self._tick_kimg, self._tick_time = tick, done, kimg, now
        if record is None:
            return
        # one open per tick: no handle left open by a crash, and ticks are seconds apart
        with open(os.path.join(runner.work_dir, self.filename), "a") as f:
            f.write(json.dumps(record, allow_nan=False) + "\n")
            f.flush()
        runner.logger.info(self._summary(record))

    def _record(self, runner, tick: int, done: int, kimg: float, now: float) -> dict:
        """The JSON line of a tick reached after ``done`` iterations, at ``kimg``."""
        seconds = now - self._tick_time
        record = dict(
            tick=tick,
            kimg=round(kimg, 3),
            iter=done,
            sec_per_kimg=json_number(round(seconds / (kimg - self._tick_kimg), 3)),
            total_sec=round(now - self._start_time, 3),
            lr=self._lr(runner),
        )
        scalars = runner.message_hub.log_scalars
        for key in sorted(scalars):
            if key.startswith("train/") and key not in TIMINGS:
                record[key.removeprefix("train/")] = json_number(scalars[key].current())
        # means over the tick's iterations: one iteration's time is too noisy to read
        iterations = done - self._tick_iter
        for name in ("data_time", "time"):
            buffer = scalars.get(f"train/{name}")
            if buffer is not None and len(buffer.data[0]):
                record[name] = json_number(buffer.mean(iterations))
        return record

    @staticmethod
    def _summary(record: dict) -> str:
        """One log line: ``kimg 1.024  sec/kimg 8.1  lr 0.0001  loss 0.31 ...``."""
        parts = [f"kimg {record['kimg']:.3f}", f"sec/kimg {_fmt(record['sec_per_kimg'])}"]
        # mmengine's LoggerHook already logs the iteration and its timings
        skip = {"tick", "kimg", "iter", "sec_per_kimg", "total_sec", "time", "data_time"}
        parts += [f"{key} {_fmt(value)}" for key, value in record.items() if key not in skip]
        return "  ".join(parts)

    @staticmethod
    def _lr(runner) -> float | None:
        """Learning rate of the first parameter group (of the first optimizer, if several)."""
        lrs = runner.optim_wrapper.get_lr()
        # OptimWrapper: {'base_lr'?, 'lr'}; OptimWrapperDict: {'<name>.base_lr'?, '<name>.lr'}
        groups = next((v for k, v in lrs.items() if k == "lr" or k.endswith(".lr")), None)
        return json_number(groups[0]) if groups else None

    @staticmethod
    def _global_batch_size(runner, data_batch=None) -> int | None:
        """Images per iteration over all ranks (TrainProgressHook's count); None if unknown.

        A dataloader built with a ``batch_sampler`` has no ``batch_size``: the batch's own
        length stands in for it, as in TrainProgressHook.
        """
        batch_size = getattr(runner.train_dataloader, "batch_size", None)
        if batch_size is None and isinstance(data_batch, dict) and "inputs" in data_batch:
            batch_size = len(data_batch["inputs"])
        return None if batch_size is None else batch_size * get_world_size()

    def _start_ticks(self, batch_size: int) -> None:
        """Counts the ticks a resumed run has already passed (0 for a new run)."""
        self._tick_kimg = self._tick_iter * batch_size / 1000
        self._tick = self._tick_of(self._tick_kimg)

    def _tick_of(self, kimg: float) -> int:
        """Tick boundaries passed at ``kimg``."""
        # the tolerance keeps e.g. 0.024 / 0.008 = 2.9999999999999996 on tick 3
        return math.floor(kimg / self.kimg_per_tick + 1e-9)

    @staticmethod
    def _end_partial_line(path: str) -> None:
        """Ends a line a killed run left unfinished, so appended lines stay parseable."""
        if not os.path.exists(path) or os.path.getsize(path) == 0:
            return
        with open(path, "rb+") as f:
            f.seek(-1, os.SEEK_END)
            if f.read(1) != b"\n":
                f.write(b"\n")


def _fmt(value) -> str:
    """A number for the log line: 4 significant digits, ``nan`` for a null."""
    return "nan" if value is None else f"{value:.4g}"
