"""Training strategies for mmengine's FlexibleRunner."""

from greenreg.engine.strategies.sharded_checkpoint_fsdp import ShardedCheckpointFSDPStrategy

__all__ = ["ShardedCheckpointFSDPStrategy"]
