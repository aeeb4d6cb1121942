# AdamW (0.9, 0.95), wd 0.01 as in seed 001; grad clip 1.0; linear warm-up then cosine.
# lr 2e-3: on this budget it beat 1e-3 (grid-query accuracy 92% vs 85%, 200 samples each).
# 1,500 iterations x batch 64 ~ 24 epochs of the 4,000 train images: minutes on 2 CPU cores.
max_iters = 1500
warmup_iters = 100

optim_wrapper = dict(
    type="NonFiniteGuardOptimWrapper",  # skips a step whose gradient is NaN or Inf
    optimizer=dict(type="AdamW", lr=2e-3, betas=(0.9, 0.95), weight_decay=0.01),
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
# resumes without replaying the trained batches (mmengine #1520)
train_cfg = dict(type="FastResumeIterBasedTrainLoop", max_iters=max_iters, val_interval=max_iters)
