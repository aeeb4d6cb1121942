# Unconditional flow matching on the embedded MNIST-5k with the main job's U-Net: the
# multi-step reference GFGW-FM's one step is compared with at 1, 2 and 20 NFE
# (bench/gfgw_fm.py). Independent pairs, velocity target, uniform t, Euler; 2,000 x 64.
_base_ = [
    "_base_/default_runtime.py",
    "_base_/datasets/mnist_unconditional.py",
    "_base_/schedules/adamw_cosine_2000it.py",
    "_base_/models/unet_mnist32.py",
]
model = dict(
    type="FlowGenerator",
    source=dict(type="GaussianNoiseSource"),
    path=dict(type="LinearPath"),
    target=dict(type="VelocityTarget"),
    time_sampler=dict(type="UniformTimeSampler"),
    loss=dict(type="FlowMSELoss"),
    solver=dict(type="EulerSolver"),
    time_grid=dict(type="UniformTimeGrid", num_steps=20),
)
optim_wrapper = dict(type="AutocastOptimWrapper", dtype="bfloat16")
