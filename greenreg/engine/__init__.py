"""Training machinery on top of mmengine: hooks, optimizer wrappers, safe checkpoints."""

from greenreg.engine import hooks, optim, runner
from greenreg.engine.atomic_backend import install_atomic_local_backend
from greenreg.engine.checkpoint import allow_mmengine_checkpoints, load_checkpoint

# mmengine's Runner calls torch.load itself: the allow-list must be in place before it does
allow_mmengine_checkpoints()
# ... and writes checkpoints through its file backend: make local writes atomic
install_atomic_local_backend()

__all__ = [
    "allow_mmengine_checkpoints",
    "hooks",
    "install_atomic_local_backend",
    "load_checkpoint",
    "optim",
    "runner",
]
