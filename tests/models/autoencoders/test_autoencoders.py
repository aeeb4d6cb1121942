"""Autoencoders around the flow: exact round trip, frozen weights from a checkpoint, latent scale."""

import pytest
import torch

from greenreg.registry import MODELS
from greenreg.schedules import TrainProgress


def test_space_to_depth_round_trips_exactly_and_states_its_latent_shape():
    ae = MODELS.build(dict(type="SpaceToDepthAutoencoder", factor=2, image_shape=(1, 8, 8)))
    x = torch.randn(3, 1, 8, 8, generator=torch.Generator().manual_seed(0))
    z = ae.encode(x)
    assert z.shape == (3, 4, 4, 4) and ae.latent_shape == (4, 4, 4)
    assert torch.equal(ae.decode(z), x)


def test_bad_factor_and_shape_name_the_key():
    with pytest.raises(ValueError, match="factor"):
        MODELS.build(dict(type="SpaceToDepthAutoencoder", factor=0))
    with pytest.raises(ValueError, match="image_shape.*multiples of factor 3"):
        MODELS.build(dict(type="SpaceToDepthAutoencoder", factor=3, image_shape=(1, 8, 8)))
    with pytest.raises(ValueError, match="scale"):
        MODELS.build(
            dict(
                type="FrozenAutoencoder",
                autoencoder=dict(type="SpaceToDepthAutoencoder"),
                scale=0.0,
            )
        )


class ScaledSpaceToDepth(torch.nn.Module):
    """A trainable stand-in: space-to-depth times a learnable gain (weights to load)."""

    def __init__(self):
        super().__init__()
        self.gain = torch.nn.Parameter(torch.ones(1))
        self.latent_shape = (4, 4, 4)

    def encode(self, x):
        return torch.nn.functional.pixel_unshuffle(x, 2) * self.gain

    def decode(self, z):
        return torch.nn.functional.pixel_shuffle(z / self.gain, 2)


def test_frozen_autoencoder_loads_its_weights_freezes_and_calibrates_once(
    tmp_path, temporary_registration
):
    temporary_registration(MODELS, ScaledSpaceToDepth)
    path = tmp_path / "vae_run.pth"
    torch.save(
        {"state_dict": {"autoencoder.gain": torch.tensor([3.0]), "other.w": torch.ones(2)}}, path
    )
    ae = MODELS.build(
        dict(type="FrozenAutoencoder", autoencoder=dict(type="ScaledSpaceToDepth"),
             checkpoint=str(path), prefix="autoencoder.")
    )  # fmt: skip
    assert float(ae.inner.gain) == 3.0 and not ae.inner.gain.requires_grad
    g = torch.Generator().manual_seed(1)
    x = 0.5 + 2.0 * torch.randn(64, 1, 8, 8, generator=g)
    z = ae.train().encode(x)  # the first training batch measures shift and scale
    assert float(z.mean()) == pytest.approx(0.0, abs=1e-5)
    assert float(z.std()) == pytest.approx(1.0, abs=1e-4)
    assert bool(ae.calibrated) and ae.inner.training is False
    shift, scale = float(ae.shift), float(ae.scale)
    ae.encode(10 * x)  # later batches do not move it
    assert (float(ae.shift), float(ae.scale)) == (shift, scale)
    torch.testing.assert_close(ae.decode(ae.encode(x)), x, rtol=1e-5, atol=1e-5)
    # the calibration is state: a fresh wrapper given it decodes the same
    again = MODELS.build(
        dict(type="FrozenAutoencoder", autoencoder=dict(type="ScaledSpaceToDepth"))
    )
    again.load_state_dict(ae.state_dict())
    assert bool(again.calibrated) and float(again.scale) == scale


def test_a_checkpoint_of_another_autoencoder_is_refused(tmp_path, temporary_registration):
    temporary_registration(MODELS, ScaledSpaceToDepth)
    path = tmp_path / "other.pth"
    torch.save({"state_dict": {"autoencoder.weight": torch.ones(3, 3)}}, path)
    with pytest.raises(ValueError, match="model.autoencoder.checkpoint"):
        MODELS.build(
            dict(type="FrozenAutoencoder", autoencoder=dict(type="ScaledSpaceToDepth"),
                 checkpoint=str(path), prefix="autoencoder.")
        )  # fmt: skip


def latent_generator(**extra):
    """A flow in the latent of a 2x space-to-depth autoencoder, conditioned by concatenation."""
    return MODELS.build(
        dict(
            type="FlowGenerator",
            autoencoder=dict(
                type="FrozenAutoencoder",
                autoencoder=dict(type="SpaceToDepthAutoencoder", factor=2, image_shape=(1, 8, 8)),
            ),
            # 4 latent channels + 1 concatenated condition channel
            backbone=dict(type="DiTBackbone", in_channels=5, out_channels=4, image_size=4,
                          patch_size=2, width=32, depth=1, num_heads=2),
            conditioning=dict(type="ChannelConcatConditioner", key="maps", channels=1, size=4),
            path=dict(type="LinearPath"),
            target=dict(type="VelocityTarget"),
            time_sampler=dict(type="UniformTimeSampler"),
            time_grid=dict(type="UniformTimeGrid", num_steps=3),
            **extra,
        )
    )  # fmt: skip


def test_a_flow_trains_and_samples_inside_the_autoencoder_with_concatenated_maps():
    model = latent_generator()
    seen = []
    model.register_step_observer(seen.append)
    g = torch.Generator().manual_seed(2)
    x1 = torch.rand(6, 1, 8, 8, generator=g) * 2 - 1
    maps = torch.rand(6, 1, 8, 8, generator=g)
    losses = model.loss(dict(inputs=x1, maps=maps), TrainProgress(0, 0))
    losses["loss_flow"].backward()
    step = seen[0]
    assert step.x1.shape == (6, 4, 4, 4)  # the flow runs in the latent
    assert step.cond.shape == (6, 1, 4, 4)  # maps pooled to the latent's side
    torch.testing.assert_close(model.autoencoder.decode(step.x1), x1, rtol=1e-5, atol=1e-5)
    assert model.autoencoder.inner is not None and bool(model.autoencoder.calibrated)
    assert all(p.grad is None for p in model.autoencoder.parameters())
    out = model.eval().sample(dict(maps=maps[:2]), seeds=[0, 1])
    assert out.shape == (2, 1, 8, 8) and torch.isfinite(out).all()


def test_concatenated_maps_of_the_wrong_channel_count_are_named():
    model = latent_generator()
    with pytest.raises(ValueError, match="key='maps'.*expected maps of shape \\(B, 1, H, W\\)"):
        model.loss(
            dict(inputs=torch.zeros(2, 1, 8, 8), maps=torch.zeros(2, 3, 8, 8)), TrainProgress()
        )
