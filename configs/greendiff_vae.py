# GreenDiff stage 1 (seed 000): a VAE for disorder potentials, log-cosh reconstruction + KL.
# Its latent statistics (per-channel mean and std over all training maps, float64) are
# measured into every checkpoint; configs/greendiff_ldm.py runs its flow in that latent.
_base_ = [
    "_base_/default_runtime.py",
    "_base_/datasets/ldos_square32.py",
    "_base_/schedules/adamw_cosine_2000it.py",
    "_base_/models/greendiff_vae.py",
]

model = dict(
    type="VAEModel",
    autoencoder={{_base_.vae}},
    reconstruction_loss=dict(type="LogCoshLoss"),
    kl_weight=1e-4,  # on the per-element KL: keeps the latent near N(0, 1) without blurring
)
# bf16 autocast (+ channels_last below): 0.10 s per step at batch 64 on 2 cores with AVX-512
# BF16/AMX (the training log), against 0.21 s in fp32 (bench/greendiff_speed.py); on a CPU
# without bf16 units AutocastOptimWrapper trains in fp32 and says so
optim_wrapper = dict(type="AutocastOptimWrapper", dtype="bfloat16")
default_hooks = dict(checkpoint=dict(interval=1000))
# no EMA here: the latent statistics and the LDM use the trained weights as they are
custom_hooks = [
    dict(type="SafeCheckpointsHook"),
    dict(type="TrainProgressHook"),
    dict(type="CheckpointCompatibilityHook"),
    dict(type="RNGStateHook"),
    dict(type="PreemptionHook"),
    dict(type="RunRecordHook"),
    dict(type="LossEMAHook", momentum=0.02),
    dict(type="LatentStatisticsHook"),
    # seed 000's switch: NHWC convolutions (1.33x in fp32, bench/greendiff_speed.py)
    dict(type="SpeedSwitchesHook", channels_last=["autoencoder"]),
]
