"""EMA of an FSDP-sharded model: each rank averages its own shard; saved gathered."""

from __future__ import annotations

import contextlib

import torch
from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from torch.distributed.checkpoint.state_dict import (
    StateDictOptions,
    get_model_state_dict,
    set_model_state_dict,
)
from torch.distributed.fsdp import FullyShardedDataParallel
from torch.distributed.fsdp._runtime_utils import _reshard

from greenreg.engine.hooks.run_state import is_resuming
from greenreg.engine.sharded_checkpoint import SHARDED_EMA_KEY
from greenreg.registry import HOOKS


def free_unsharded_params(model: FullyShardedDataParallel) -> None:
    """Frees every gathered (unsharded) parameter FSDP keeps after a forward.

    FSDP does not free the root module's gathered parameters after a forward, expecting a
    backward next, and the next forward reuses them without gathering again. After an
    eval forward (validation with the averages swapped in) that reuse would train step
    N + 1 from the averages, not from the weights swapped back into the shards.
    """
    for module in FullyShardedDataParallel.fsdp_modules(model):
        handle = module._handle  # torch has no public call for this (2.14)
        if handle is not None and handle.uses_sharded_strategy:  # one rank: nothing gathered
            _reshard(module, handle, free_unsharded_flat_param=True)


@HOOKS.register_module()
class ShardedEMAHook(Hook):
    """Momentum-annealing EMA of an FSDP model's parameters, kept as this rank's shards.

    The same averages as ``EMAHook(ema_type='ForeachMomentumAnnealingEMA')``:
    momentum_t = max(momentum, gamma / (gamma + step)), the weight of the new value
    (EMA 0.999 = momentum 0.001); the first update copies. mmengine's EMAHook cannot do this
    for a sharded model: it deep-copies the module and swaps whole state dicts in the
    checkpoint. Here the averages are one tensor per parameter shard (with FSDP's
    ``use_orig_params=True``, the parameters this rank holds), updated with one fused call.

    - Validation runs with the averages copied into the model (and the trained weights
      copied back after), so samples and metrics show the EMA, as under EMAHook.
    - Checkpoints: the averages are gathered into full weights on rank 0 (a collective) and
      saved in the checkpoint's ``extra.pth``; consolidated, they become ``state_dict`` and
      the trained weights ``ema_state_dict``, mmengine's EMA layout.
    - A resumed run reloads the gathered averages into every rank's shards.

    Args:
        momentum (float): the smallest weight of the new value, in (0, 1).
        gamma (float): annealing constant (steps); larger = slower ramp to ``momentum``.

    Raises:
        ValueError: momentum outside (0, 1) or gamma <= 0; a model that is not FSDP.

    Example:
        ``dict(type='ShardedEMAHook', momentum=0.001, gamma=20)``
    """

    priority = "NORMAL"

    def __init__(self, momentum: float = 0.001, gamma: float = 20.0) -> None:
        if not 0 < momentum < 1:
            raise ValueError(
                f"ShardedEMAHook.momentum (custom_hooks): the weight of the new value; "
                f"expected a float in (0, 1), got {momentum}."
            )
        if gamma <= 0:
            raise ValueError(
                f"ShardedEMAHook.gamma (custom_hooks): expected a float > 0, got {gamma}."
            )
        self.momentum, self.gamma = momentum, gamma
        self.steps = 0
        self._params: list[torch.Tensor] = []
        self._averages: list[torch.Tensor] = []
        self._resumed: dict | None = None

    def momentum_at(self, steps: int) -> float:
        """The weight of the new value in the update after ``steps`` updates."""
        return max(self.momentum, self.gamma / (self.gamma + steps))

    def before_run(self, runner) -> None:
        """Allocates the averages (from resumed ones, if the run resumed)."""
        if not isinstance(runner.model, FullyShardedDataParallel):
            raise ValueError(
                f"ShardedEMAHook (custom_hooks): averages an FSDP-sharded model; got "
                f"{type(runner.model).__name__}. Expected strategy="
                f"dict(type='ShardedCheckpointFSDPStrategy'); other runs use EMAHook."
            )
        self._params = list(runner.model.parameters())
        self._averages = [p.detach().clone() for p in self._params]
        if self._resumed is not None:
            # load the gathered averages through FSDP (it reshards), keep them, and put
            # the trained weights back
            options = StateDictOptions(full_state_dict=True)
            set_model_state_dict(runner.model, self._resumed["state_dict"], options=options)
            self._exchange()
            self.steps = int(self._resumed["steps"])
            self._resumed = None

    @torch.no_grad()
    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        """Moves every averaged shard towards the trained one."""
        if self.steps == 0:
            torch._foreach_copy_(self._averages, [p.detach() for p in self._params])
        else:
            current = [p.detach() for p in self._params]
            torch._foreach_lerp_(self._averages, current, self.momentum_at(self.steps))
        self.steps += 1

    @torch.no_grad()
    def _exchange(self) -> None:
        # in place: FSDP's parameters are views into its flat shard, which must stay put
        trained = [p.detach().clone() for p in self._params]
        torch._foreach_copy_([p.detach() for p in self._params], self._averages)
        torch._foreach_copy_(self._averages, trained)

    @contextlib.contextmanager
    def _swapped(self):
        """A context in which the model holds the averages (and the averages the weights)."""
        self._exchange()
        try:
            yield
        finally:
            self._exchange()

    def before_val_epoch(self, runner) -> None:
        """Validation samples with the averaged weights."""
        self._exchange()

    def after_val_epoch(self, runner, metrics=None) -> None:
        """Puts the trained weights back, and drops FSDP's gathered copy of the averages."""
        free_unsharded_params(runner.model)
        self._exchange()

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        """Adds the gathered averages on rank 0 (every rank takes part in the gather)."""
        options = StateDictOptions(full_state_dict=True, cpu_offload=True)
        with self._swapped():
            full = get_model_state_dict(runner.model, options=options)
        if is_main_process():
            checkpoint[SHARDED_EMA_KEY] = dict(state_dict=full, steps=self.steps)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """Keeps the saved averages for :meth:`before_run` (a resume only)."""
        if is_resuming(runner) and SHARDED_EMA_KEY in checkpoint:
            self._resumed = checkpoint[SHARDED_EMA_KEY]
