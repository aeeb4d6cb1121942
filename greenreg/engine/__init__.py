"""Training machinery on top of mmengine: hooks, optimizer wrappers, safe checkpoints.

Importing it changes nothing in mmengine or torch: the checkpoint allow-list is installed by
SafeCheckpointsHook (or by ``load_checkpoint`` itself), atomic saves are the registered file
backend ``"atomic_local"`` that the default runtime's CheckpointHook names.
"""

from greenreg.engine import atomic_backend, hooks, optim, runner, strategies
from greenreg.engine.checkpoint import allow_mmengine_checkpoints, load_checkpoint

__all__ = [
    "allow_mmengine_checkpoints",
    "atomic_backend",
    "hooks",
    "load_checkpoint",
    "optim",
    "runner",
    "strategies",
]
