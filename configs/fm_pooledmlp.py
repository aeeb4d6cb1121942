# Seed 001's baseline: pooled caption feature -> 3-layer MLP -> per-pixel (mu, log_var).
_base_ = [
    "_base_/models/fm_crossmodal.py",
    "_base_/datasets/mnist_captions.py",
    "_base_/schedules/adamw_cosine_1200it.py",
    "_base_/default_runtime.py",
]
