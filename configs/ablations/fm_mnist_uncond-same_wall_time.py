# Hypothesis: per wall-clock minute, not per image, the multi-step flow is the one-step
# generators' fair rival: GFGW-FM's step costs ~4x the flow's on a CPU (two U-Net passes,
# feature networks, an FGW plan), so the flow gets 8,000 iterations (512 kimg) to match
# GFGW-FM's ~40 minutes of 2,000.
_base_ = ["../fm_mnist_uncond.py"]
max_iters = 8000
warmup_iters = 100
param_scheduler = [
    dict(type="LinearLR", start_factor=0.01, by_epoch=False, begin=0, end=warmup_iters),
    dict(
        type="CosineAnnealingLR",
        T_max=max_iters - warmup_iters,
        eta_min=1e-5,
        by_epoch=False,
        begin=warmup_iters,
        end=max_iters,
    ),
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(checkpoint=dict(interval=2000))
