# GreenDiff (seed 000): disorder potentials sampled from their LDOS maps in the VAE's latent.
# Train configs/greendiff_vae.py first; its final checkpoint is `vae_checkpoint`.
_base_ = [
    "_base_/default_runtime.py",
    "_base_/datasets/ldos_square32.py",
    "_base_/schedules/adamw_cosine_2000it.py",
    "_base_/models/greendiff_ldm.py",
]
default_hooks = dict(checkpoint=dict(interval=1000))
# bf16 autocast: 0.24 s per step at batch 64 on 2 cores with AVX-512 BF16/AMX (the training
# log), against 0.35 s in fp32 (bench/greendiff_speed.py); fp32 on a CPU without bf16 units,
# with a warning
optim_wrapper = dict(type="AutocastOptimWrapper", dtype="bfloat16")
