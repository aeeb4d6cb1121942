# DDPM on the embedded MNIST-5k (seed 004): x0 prediction, guided DDIM-50 samples for validation.
# fp32 by default: bf16 autocast is 7x slower than fp32 on CPUs without bf16 units (see
# bench/amp_speed.py); ddpm_mnist-bf16.py or `--amp` turns it on where it pays.
_base_ = [
    "_base_/default_runtime.py",
    "_base_/datasets/mnist_captions.py",
    "_base_/schedules/adamw_cosine_1500it.py",
    "_base_/models/ddpm_unet.py",
]
