# GreenDiff's schedule at CPU scale: AdamW, linear warm-up then cosine (seed 000: 5k warm-up
# of 600k iterations; here 100 of 2,000), grad clip 1.0. 2,000 iterations x batch 64 =
# 128,000 maps (~28 epochs of the 4,500 training maps).
max_iters = 2000
warmup_iters = 100

optim_wrapper = dict(
    type="NonFiniteGuardOptimWrapper",  # skips a step whose gradient is NaN or Inf
    optimizer=dict(type="AdamW", lr=1e-3, betas=(0.9, 0.99), weight_decay=0.01),
    clip_grad=dict(max_norm=1.0),
)
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
train_cfg = dict(type="FastResumeIterBasedTrainLoop", max_iters=max_iters, val_interval=max_iters)
