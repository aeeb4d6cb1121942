# Baseline for GreenDiff (seed 000): a U-Net regressing the potential directly from the LDOS
# maps (Paul, Ma & Nuckolls, arXiv 2509.09604), trained on the same maps for the same 2,000
# iterations. Under MSE it learns the posterior mean: one answer where the maps allow many.
# Sized like what it is compared with: 1.77M parameters; the latent DiT + conditioning + LGO
# have 1.97M.
_base_ = [
    "_base_/default_runtime.py",
    "_base_/datasets/ldos_square32.py",
    "_base_/schedules/adamw_cosine_2000it.py",
]
model = dict(
    type="DirectRegressionModel",
    key="ldos",
    network=dict(
        type="UNetBackbone",
        in_channels=4,
        out_channels=1,
        image_size=32,
        patch_size=2,
        base_channels=32,
        channel_mults=(1, 2, 2),
        num_res_blocks=2,
        attention_resolutions=(8,),
        num_heads=4,
        groups=8,
        use_channels_last=True,
    ),
)
default_hooks = dict(checkpoint=dict(interval=1000))
# EMA 0.999 as the generators have it; no TensorStatsHook / sampling hooks (no flow here)
custom_hooks = [
    dict(type="SafeCheckpointsHook"),
    dict(type="TrainProgressHook"),
    dict(type="EMAHook", ema_type="ForeachMomentumAnnealingEMA", momentum=0.001, gamma=20),
    dict(type="CheckpointCompatibilityHook"),
    dict(type="RNGStateHook"),
    dict(type="PreemptionHook"),
    dict(type="RunRecordHook"),
    dict(type="LossEMAHook", momentum=0.02),
]
# bf16 autocast, as the LDM trains (fp32 on a CPU without bf16 units, with a warning)
optim_wrapper = dict(type="AutocastOptimWrapper", dtype="bfloat16")
