# Hypothesis: the latent DiT under-fits the maps (its k-sample mean is biased, not just
# spread): 64 concatenated feature channels instead of 16 (each 8x8 latent cell folds 64 LDOS
# values) and twice the iterations (4,000 x 64 = 256,000 maps, ~57 epochs).
_base_ = ["../greendiff_ldm.py"]
model = dict(
    conditioning=dict(concat_channels=64),
    backbone=dict(in_channels=4 + 64),
)
train_cfg = dict(max_iters=4000, val_interval=4000)
param_scheduler = [
    dict(type="LinearLR", start_factor=0.01, by_epoch=False, begin=0, end=100),
    dict(type="CosineAnnealingLR", T_max=3900, eta_min=1e-5, by_epoch=False, begin=100, end=4000),
]
default_hooks = dict(checkpoint=dict(interval=2000))
