# fm_gridquery.py under FSDP: mmengine's FlexibleRunner shards parameters, gradients and
# optimizer state across ranks. Launch: tools/dist_train.sh configs/fm_gridquery-fsdp.py 8
# ShardedCheckpointFSDPStrategy: gradients clipped by the norm of the whole model (FSDP's
# clip_grad_norm_, not each rank's shard), and iter_N.pth/ written as a
# torch.distributed.checkpoint directory that resumes on any number of ranks and that
# tools/sample.py, tools/evaluate.py and tools/consolidate_checkpoint.py read directly.
_base_ = ["fm_gridquery.py"]

runner_type = "FlexibleRunner"
strategy = dict(type="ShardedCheckpointFSDPStrategy")
# FSDP flattens parameters and accepts only contiguous (NCHW) ones
model = dict(backbone=dict(use_channels_last=False))
# mmengine's EMAHook copies the module and swaps whole state dicts, which a sharded model
# lacks: the same averaging on each rank's shards, everything else as in the recipe
custom_hooks = [
    dict(type="ShardedEMAHook", momentum=hook["momentum"], gamma=hook["gamma"])
    if hook["type"] == "EMAHook"
    else hook
    for hook in _base_.custom_hooks
]
