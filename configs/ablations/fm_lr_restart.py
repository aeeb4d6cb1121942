# Ablation A (seed 001, fix 1). Hypothesis: a cosine decay to a tiny LR leaves loss_flow on a
# plateau; warm restarts (two 575-iteration cosine periods, eta_min = lr / 10, as the seed's
# 2.5e-6 -> 2.5e-7) make it fall again after each restart.
_base_ = ["../fm_gridquery.py"]

param_scheduler = [
    dict(type="LinearLR", start_factor=0.01, by_epoch=False, begin=0, end=50),
    dict(
        type="CosineRestartLR",
        periods=[575, 575],  # 50 warm-up + 2 x 575 = 1,200 iterations
        restart_weights=[1.0, 1.0],
        eta_min=2e-4,
        by_epoch=False,
        begin=50,
        end=1200,
    ),
]
