# The potential VAE of GreenDiff (seed 000) at CPU scale: 32 base channels, levels 32/64/64
# at sides 32/16/8, one ResBlock per level (seed: 96 channels, 3 ResBlocks), latents 4 x 8 x 8
# (a quarter of the 1,024 sites). configs/greendiff_ldm.py restates it around its checkpoint.
vae = dict(
    type="ConvVAE",
    image_shape=(1, 32, 32),
    latent_channels=4,
    base_channels=32,
    channel_mults=(1, 2, 2),
    num_res_blocks=1,
    groups=8,
)
