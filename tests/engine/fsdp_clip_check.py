"""Run with torchrun (2 processes, gloo): FSDP's clipping against the unsharded model's norm.

Prints one JSON line on rank 0: the norm ShardedCheckpointFSDPStrategy's clip function
returns, the norm of the same gradients in one unsharded copy, and what
torch.nn.utils.clip_grad_norm_ sees on each rank's shard (the per-shard norms mmengine's
plain OptimWrapper would clip by).
"""

import copy
import json
import os

import torch
import torch.distributed as dist
from torch import nn
from torch.distributed.fsdp import FullyShardedDataParallel

from greenreg.engine.strategies.sharded_checkpoint_fsdp import clip_global_grad_norm


def main() -> None:
    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.manual_seed(0)  # the same initial weights and inputs on every rank
    model = nn.Sequential(nn.Linear(16, 64), nn.GELU(), nn.Linear(64, 64), nn.Linear(64, 4))
    reference = copy.deepcopy(model)
    inputs = torch.randn(world, 8, 16)
    sharded = FullyShardedDataParallel(model, use_orig_params=True, device_id="cpu")
    sharded(inputs[rank]).square().mean().backward()
    local_norms = [None] * world
    shard_grads = [p.grad for p in sharded.parameters() if p.grad is not None]
    dist.all_gather_object(local_norms, float(torch.nn.utils.get_total_norm(shard_grads)))
    total = float(clip_global_grad_norm(sharded, None, max_norm=1e-3))
    # FSDP averages the ranks' gradients: the same as the mean of the ranks' losses
    loss = torch.stack([reference(x).square().mean() for x in inputs]).mean()
    loss.backward()
    expected = float(torch.nn.utils.clip_grad_norm_(reference.parameters(), max_norm=1e-3))
    clipped = float(torch.nn.utils.get_total_norm([p.grad for p in sharded.parameters()
                                                   if p.grad is not None]) ** 2)  # fmt: skip
    clipped_sq = [None] * world
    dist.all_gather_object(clipped_sq, clipped)
    if rank == 0:
        print(json.dumps(dict(total=total, expected=expected, local=local_norms,
                              after_clip=sum(clipped_sq) ** 0.5)), flush=True)  # fmt: skip
    dist.barrier()
    dist.destroy_process_group()
    # skip interpreter teardown: a gloo worker thread destroyed late can abort the process
    # ("terminate called without an active exception") after the result is printed
    os._exit(0)


if __name__ == "__main__":
    main()
