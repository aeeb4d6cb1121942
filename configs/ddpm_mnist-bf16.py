# The DDPM recipe under bf16 autocast (seed 004 trained in bf16; fp32 weights and loss).
_base_ = ["ddpm_mnist.py"]

optim_wrapper = dict(type="AutocastOptimWrapper", dtype="bfloat16")
