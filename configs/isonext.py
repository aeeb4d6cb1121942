# IsoNext OT-CFM (seed 002): structure-preserving style transfer on the embedded MNIST-5k,
# bf16 autocast (AdaGN and the output layer stay fp32). Ablations: configs/ablations/isonext-*.py
_base_ = [
    "_base_/default_runtime.py",
    "_base_/datasets/styled_mnist.py",
    "_base_/schedules/adamw_cosine_2000it.py",
    "_base_/models/isonext.py",
]
optim_wrapper = dict(type="AutocastOptimWrapper", dtype="bfloat16")
