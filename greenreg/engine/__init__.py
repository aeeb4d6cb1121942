"""Training machinery on top of mmengine: hooks, optimizer wrappers, safe checkpoints."""

from greenreg.engine import hooks, optim
from greenreg.engine.checkpoint import allow_mmengine_checkpoints, load_checkpoint

# mmengine's Runner calls torch.load itself: the allow-list must be in place before it does
allow_mmengine_checkpoints()

__all__ = ["allow_mmengine_checkpoints", "hooks", "load_checkpoint", "optim"]
