# Class-conditional DDPM (seed 004): linear betas 1e-4 .. 0.02 over 1,000 steps, integer steps
# drawn uniformly, a small DiT conditioned on the digit label through adaLN. Label dropout 10%
# trains the unconditional branch for classifier-free guidance (scale 3 when sampling).
# Target x0 with Min-SNR-5: at 1,500 iterations on CPU it gave 44% accuracy / FD 24.5 without
# guidance, where eps gave 13% / FD 73 (eps + Min-SNR 20% / 61, v + Min-SNR 38% / 32;
# 200 DDIM-50 samples each): x0 learns the digit shapes first, eps needs a longer run.
width = 128
num_steps = 1000

model = dict(
    type="FlowGenerator",
    source=dict(type="GaussianNoiseSource"),
    backbone=dict(
        type="DiTBackbone",
        in_channels=1,
        image_size=32,
        patch_size=8,  # 16 tokens: ~0.22 s per step at batch 64 on 1 CPU thread (patch 4: 0.9 s)
        width=width,
        depth=4,
        num_heads=4,
    ),
    conditioning=dict(
        type="ClassEmbeddingConditioner", num_classes=10, embed_dim=width, drop_prob=0.1
    ),
    path=dict(type="DDPMDiscretePath", beta_start=1e-4, beta_end=0.02, num_steps=num_steps),
    target=dict(type="DataTarget"),  # x0 prediction; EpsilonTarget for eps
    weighting=dict(type="MinSNRWeighting", gamma=5.0),  # x0 error weighted min(SNR, 5)
    time_sampler=dict(type="DiscreteUniformTimeSampler", num_steps=num_steps),
    loss=dict(type="FlowMSELoss"),  # plain per-sample MSE on the target
    solver=dict(type="DDIMSampler", eta=0.0, clip_x1=True),
    time_grid=dict(type="UniformTimeGrid", num_steps=50),  # = diffusers' "trailing" spacing
    guidance=dict(type="ClassifierFreeGuidance", scale=3.0),  # 74% vs 44% unguided (200 samples)
)
