# Seed 001, option A (the main job): a 16x16 learnable query grid with 2-D position encoding
# cross-attends to the caption; per-cell (mu, log_var) for 2x2 pixels; one depthwise 3x3 block.
_base_ = ["fm_pooledmlp.py"]

model = dict(
    source=dict(
        conditioner=dict(
            _delete_=True,
            type="GridQueryCrossAttnConditioner",
            text_width={{_base_.text_width}},
            latent_shape={{_base_.latent_shape}},
            grid_size=16,
            num_dwconv=1,
        )
    )
)
