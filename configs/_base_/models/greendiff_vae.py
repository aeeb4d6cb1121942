# The potential VAE of GreenDiff (seed 000) at CPU scale: levels of 16/32/64 channels at sides
# 32/16/8, one ResBlock per level (seed: 96 base channels, 3 ResBlocks), latents 4 x 8 x 8 (a
# quarter of the 1,024 sites): 0.4M parameters. 32/64/64 channels cost about 2.4x the time
# per step (a one-off profile, fp32, one thread) for a full-resolution level the smooth
# potentials (correlation length 2 sites) do not need: `--cfg-options
# model.autoencoder.base_channels=32 "model.autoencoder.channel_mults=(1,2,2)"` to compare.
vae = dict(
    type="ConvVAE",
    image_shape=(1, 32, 32),
    latent_channels=4,
    base_channels=16,
    channel_mults=(1, 2, 4),
    num_res_blocks=1,
    groups=8,
)
