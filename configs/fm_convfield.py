# Seed 001, option B: pooled MLP -> (32, 8, 8) field -> 3x3 convs + GroupNorm -> (mu, log_var).
_base_ = ["fm_pooledmlp.py"]

model = dict(
    source=dict(
        conditioner=dict(
            _delete_=True,
            type="ConvFieldConditioner",
            text_width={{_base_.text_width}},
            latent_shape={{_base_.latent_shape}},
        )
    )
)
