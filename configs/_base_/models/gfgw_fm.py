# GFGW-FM (seed 003): a one-step generator x1 = U-Net(x0, t=0) whose outputs are coupled by
# fused Gromov-Wasserstein against a FIFO memory bank of data features, then trained on the
# straight path to their targets plus feature, perceptual, structure and boundary terms.
# The seed's U-Net (128 ch, mults 1,2,2,2, attention at 16, dropout 0.1, 62M parameters) is
# configs/gfgw_fm-cifar10.py; here the main job's 1.2M U-Net, which trains on a CPU.
_base_ = ["unet_mnist32.py"]
batch_size = 64  # images per step: the kimg arithmetic below reads it

model = dict(
    type="OneStepGenerator",
    source=dict(type="GaussianNoiseSource"),
    path=dict(type="LinearPath"),
    target=dict(type="DataTarget"),  # x1 prediction: the one-step output is the prediction
    # seed 003: (0.7, 1) for the first 10 kimg, then logit-Student-t over the whole path
    time_sampler=dict(
        type="TwoStageTimeSampler",
        first_stage_iters=10_000 // batch_size,  # 10 kimg / 64 = 156 iterations
        first_stage_range=(0.7, 1.0),
        then=dict(type="LogitStudentTTimeSampler", loc=0.0, scale=1.0, df=3.0),
    ),
    # iCT's pseudo-Huber on the whole sample, c = 0.00054 sqrt(d)
    loss=dict(type="PseudoHuberLoss", c=None),
    # the shipped style classifier: features that see strokes and textures; FD is scored in
    # the digit classifier's, another network, so training does not game its own judge
    feature_network=dict(type="ClassifierFeatureNetwork", classifier="style"),
    memory_bank=dict(type="MemoryBank", size=4096),  # the whole train split after 64 steps
    memory_draw=1024,  # bank entries per plan (seed: 2,048 of ~50k)
    # seed 003: lambda 0.1 -> 0.125, epsilon 0.1 -> 0.087, 10 FGW iterations; POT's
    # entropic FGW on max-normalised costs (bench/fgw_cost.py: ~0.1 s at 64 x 1,024)
    memory_coupling=dict(
        type="FGWCoupling",
        # over the run's 128 kimg (2,000 iterations x 64)
        alpha=dict(type="PiecewiseLinearSchedule", points=[(0, 0.1), (128, 0.125)], unit="kimg"),
        epsilon=dict(type="PiecewiseLinearSchedule", points=[(0, 0.1), (128, 0.087)], unit="kimg"),
        max_iter=10,
    ),
    loss_terms=dict(
        # the one-step output's features point where its target's do
        feature=dict(
            type="MappedLossTerm",
            loss=dict(type="CosineDistanceLoss"),
            inputs=["one_step_features", "x1_features"],
        ),
        # LPIPS 0.5 (seed); the embedded form on the classifier's layers (LPIPSLoss with
        # local VGG weights where a user has them)
        lpips=dict(
            type="MappedLossTerm",
            loss=dict(type="ClassifierPerceptualLoss", classifier="style"),
            inputs=["one_step", "x1"],
            weight=0.5,
        ),
        # the batch's feature geometry matches that of the memory entries it was sent to
        structure=dict(
            type="MappedLossTerm",
            loss=dict(type="DistanceMatrixLoss"),
            inputs=["one_step_features", "x1_features"],
            weight=0.1,
        ),
        # the t = 0 boundary: the one-step map lands on its coupled target
        boundary=dict(
            type="MappedLossTerm",
            loss=dict(type="PseudoHuberLoss", c=None),
            inputs=["one_step", "x1"],
        ),
    ),
    solver=dict(type="EulerSolver"),
    time_grid=dict(type="UniformTimeGrid", num_steps=1),  # one network evaluation
)
