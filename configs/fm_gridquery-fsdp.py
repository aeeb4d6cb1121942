# fm_gridquery.py under FSDP: mmengine's FlexibleRunner shards parameters, gradients and
# optimizer state across ranks. Launch: tools/dist_train.sh configs/fm_gridquery-fsdp.py 8
# Checkpoints are mmengine's default "local" state dict: iter_N.pth/rank<k>.pth, one shard per
# rank ("full" fails in 0.10.7's EMAHook: other ranks get an empty dict and raise KeyError).
_base_ = ["fm_gridquery.py"]

runner_type = "FlexibleRunner"
strategy = dict(type="FSDPStrategy")
# no clipping: mmengine 0.10.7's OptimWrapper clips with torch.nn.utils.clip_grad_norm_, which
# under FSDP sees only this rank's shard, so each rank would rescale by its own norm (2-rank
# probe: 3.1 and 7.4 where the true norm is 8.1); clipping needs FSDP.clip_grad_norm_
optim_wrapper = dict(clip_grad=None)
# FSDP flattens parameters and accepts only contiguous (NCHW) ones
model = dict(backbone=dict(use_channels_last=False))
