"""Graceful preemption: on SIGTERM, SIGINT or SIGUSR1 finish the step, save, stop."""

from __future__ import annotations

import logging
import signal

import torch
import torch.distributed as dist
from mmengine.dist import get_world_size
from mmengine.hooks import CheckpointHook, Hook
from mmengine.logging import print_log

from greenreg.engine.hooks.rng_state import RNGStateHook, checkpoint_due
from greenreg.registry import HOOKS

# tools/train.py's exit status after a preemption checkpoint (sysexits' EX_TEMPFAIL: "try
# again"); tools/slurm_train.sh requeues the job with --resume on it
EXIT_PREEMPTED = 75
SIGNALS = ("SIGTERM", "SIGINT", "SIGUSR1")


@HOOKS.register_module()
class PreemptionHook(Hook):
    """Turns a termination signal into a checkpoint and a clean stop.

    A Slurm preemption or time limit (``sbatch --signal`` / ``srun --signal`` sends SIGUSR1
    first), a ``kill`` (SIGTERM) or Ctrl-C (SIGINT) would otherwise lose everything since
    the last interval checkpoint. Here the signal only raises a flag; the step in progress
    finishes, every rank agrees to stop after the same step (one all-reduce of the flag per
    ``check_interval_iters`` under DDP/FSDP, on a CPU process group: no GPU sync), the
    CheckpointHook's save runs (atomically, with every rank's RNG streams and
    ``last_checkpoint``), the end-of-training hooks write
    their curves and logs, and ``tools/train.py`` exits with status 75 (``EXIT_PREEMPTED``).
    ``--resume`` continues bit for bit. Further signals while stopping are counted and
    ignored, so a second SIGTERM during the save cannot cut it short (and the save is an
    atomic rename in any case); SIGKILL still ends the process at once.

    Args:
        signals (list[str]): the signal names that stop the run.
        check_interval_iters (int): under DDP/FSDP, agree on stopping every this many
            iterations (one tiny all-reduce each time); one process checks every iteration.

    Example:
        ``custom_hooks = [dict(type='PreemptionHook')]``
    """

    # after the EMA, loss logs and RNGStateHook's gather (LOW, listed before this hook),
    # before CheckpointHook ("VERY_LOW")
    priority = "LOW"

    def __init__(self, signals: list | tuple = SIGNALS, check_interval_iters: int = 1) -> None:
        unknown = [s for s in signals if not isinstance(getattr(signal, s, None), signal.Signals)]
        if unknown:
            raise ValueError(
                f"PreemptionHook.signals (custom_hooks): unknown signal names {unknown}; "
                f"expected names such as {list(SIGNALS)}."
            )
        if check_interval_iters < 1:
            raise ValueError(
                f"PreemptionHook.check_interval_iters (custom_hooks): expected an int >= 1, "
                f"got {check_interval_iters}."
            )
        self.signals = tuple(signals)
        self.check_interval_iters = check_interval_iters
        self.received: str | None = None
        self.ignored = 0
        self.stopped_at: int | None = None
        self._previous: dict = {}
        self._group = None

    def _handle(self, signum, frame) -> None:
        # only a flag: logging or saving inside a signal handler can deadlock
        if self.received is None:
            self.received = signal.Signals(signum).name
        else:
            self.ignored += 1

    def before_train(self, runner) -> None:
        """Installs the handlers (the Runner trains in the main thread)."""
        if get_world_size() > 1:  # a collective: every rank builds it, in the same order
            # the flag travels on a CPU (gloo) group: reading it never waits for the GPU
            self._group = dist.new_group(backend="gloo")
        for name in self.signals:
            number = getattr(signal, name)
            self._previous[number] = signal.signal(number, self._handle)

    def after_train(self, runner) -> None:
        """Puts the previous handlers back."""
        for number, handler in self._previous.items():
            signal.signal(number, handler)
        self._previous = {}

    def _agreed_stop(self, runner) -> bool:
        if get_world_size() == 1:
            return self.received is not None
        if (runner.iter + 1) % self.check_interval_iters:
            return False
        flag = torch.tensor([float(self.received is not None)])
        dist.all_reduce(flag, op=dist.ReduceOp.MAX, group=self._group)  # any rank: all stop
        return bool(flag.item())

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        """Saves and stops after this step if a signal arrived (on any rank)."""
        if not self._agreed_stop(runner):
            return
        step = runner.iter + 1
        checkpoint_hooks = [h for h in runner.hooks if isinstance(h, CheckpointHook)]
        if not checkpoint_due(runner):  # else the CheckpointHook saves this very step
            for hook in runner.hooks:
                if isinstance(hook, RNGStateHook):
                    hook.gather_for_checkpoint()
            if checkpoint_hooks:  # its save: file name, last_checkpoint, max_keep_ckpts
                checkpoint_hooks[0]._save_checkpoint(runner)
            else:
                runner.save_checkpoint(runner.work_dir, f"iter_{step}.pth", by_epoch=False)
        runner.train_loop.stop_training = True
        self.stopped_at = step
        print_log(
            f"PreemptionHook: {self.received or 'another rank signalled'}: stopped after "
            f"iteration {step} with a checkpoint; continue with --resume (exit status "
            f"{EXIT_PREEMPTED}).",
            logger="current",
            level=logging.WARNING,
        )
