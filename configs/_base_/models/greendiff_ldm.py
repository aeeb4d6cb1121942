# GreenDiff stage 2 (seed 000): a latent DiT generating potentials from LDOS maps.
# v-prediction on a cosine VP path with Min-SNR-5; the maps reach the DiT concatenated to the
# latent (folded 32 -> 8 by pixel unshuffle, then convolved to 16 channels) and as an adaLN
# embedding; the Latent Green Operator (LGO) learns LDOS from (noisy latent, t) beside it and
# holds the denoiser's clean estimate to the measured maps (consistency weight 0.1).
_base_ = ["greendiff_vae.py"]
width = 128
ldos_channels = 4
latent_channels = 4
concat_channels = 16
vae_checkpoint = "work_dirs/greendiff_vae/iter_2000.pth"

model = dict(
    type="FlowGenerator",
    autoencoder=dict(
        type="FrozenAutoencoder",
        autoencoder={{_base_.vae}},
        checkpoint=vae_checkpoint,
        prefix="autoencoder.",  # VAEModel keeps the VAE as `autoencoder`
    ),
    source=dict(type="GaussianNoiseSource"),
    conditioning=dict(
        type="ConcatAdaLNConditioner",
        key="ldos",
        channels=ldos_channels,
        factor=4,  # 32-site maps onto the 8 x 8 latent
        concat_channels=concat_channels,
        embed_dim=width,
    ),
    backbone=dict(
        type="DiTBackbone",
        in_channels=latent_channels + concat_channels,
        out_channels=latent_channels,
        image_size=8,
        patch_size=1,  # 64 tokens, one per latent cell
        width=width,
        depth=4,
        num_heads=4,
    ),
    path=dict(type="VPCosinePath"),
    target=dict(type="VTarget"),
    weighting=dict(type="MinSNRWeighting", gamma=5.0),  # min(SNR, 5) / (SNR + 1) on v
    time_sampler=dict(type="UniformTimeSampler"),
    loss_terms=dict(
        lgo=dict(
            type="LatentGreenOperatorLoss",
            operator=dict(
                type="LatentGreenOperator",
                latent_channels=latent_channels,
                ldos_channels=ldos_channels,
                factor=4,
                width=128,  # all at the latent's 8 x 8: cheap beside the DiT
                num_res_blocks=2,
            ),
            key="ldos",
            loss=dict(type="MultiScaleMSELoss", scales=(1, 2, 4)),
            consistency_weight=0.1,
            guidance_scale=0.0,  # configs/ablations/greendiff_ldm-lgo_guidance.py turns it on
        )
    ),
    solver=dict(type="HeunSolver"),
    time_grid=dict(type="UniformTimeGrid", num_steps=25),
)
