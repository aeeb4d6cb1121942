"""ConvVAE: one encoder path, trainable as a VAE, latent statistics measured stably and used."""

import pytest
import torch
from torch.utils.data import Dataset

from greenreg.engine.hooks.latent_statistics import LatentStatisticsHook, RunningMoments
from greenreg.registry import MODELS
from greenreg.schedules import TrainProgress

TINY = dict(type="ConvVAE", image_shape=(1, 8, 8), latent_channels=2, base_channels=8,
            channel_mults=(1, 2), num_res_blocks=1, groups=4)  # fmt: skip


def smooth_maps(n: int, seed: int = 0) -> torch.Tensor:
    """(n, 1, 8, 8) smooth random fields: what a 4x-compressing VAE can reconstruct."""
    g = torch.Generator().manual_seed(seed)
    coarse = torch.randn(n, 1, 2, 2, generator=g)
    return torch.nn.functional.interpolate(coarse, size=8, mode="bilinear", align_corners=True)


def test_encode_is_the_posterior_mean_and_sampling_is_reproducible():
    vae = MODELS.build(TINY)
    x = smooth_maps(3)
    moments = vae.encode_moments(x)
    assert vae.latent_shape == (2, 4, 4) and moments.mean.shape == (3, 2, 4, 4)
    assert torch.equal(vae.encode(x), moments.mean)
    a = moments.sample(torch.Generator().manual_seed(1))
    b = moments.sample(torch.Generator().manual_seed(1))
    assert torch.equal(a, b) and not torch.equal(a, moments.mean)
    # the reparameterised draws have the posterior's mean and std
    many = torch.stack([moments.sample(torch.Generator().manual_seed(s)) for s in range(400)])
    assert torch.allclose(many.mean(0), moments.mean, atol=0.2)
    assert torch.allclose(many.std(0), (0.5 * moments.log_var).exp(), rtol=0.15)


def test_bad_shapes_name_the_key():
    with pytest.raises(ValueError, match="image_shape.*multiples of 4"):
        MODELS.build(dict(TINY, image_shape=(1, 10, 10), channel_mults=(1, 2, 2)))
    with pytest.raises(ValueError, match="latent_channels"):
        MODELS.build(dict(TINY, latent_channels=0))
    with pytest.raises(ValueError, match=r"expected data of shape \(B, 1, 8, 8\)"):
        MODELS.build(TINY).encode(torch.zeros(2, 1, 16, 16))


def test_vae_model_learns_to_reconstruct_and_weights_its_kl():
    torch.manual_seed(0)
    model = MODELS.build(dict(type="VAEModel", autoencoder=TINY, kl_weight=[(0, 0.0), (10, 1e-3)]))
    x = smooth_maps(16)
    assert set(model(x, progress=TrainProgress(0))) == {"loss_recon"}  # KL weight 0: skipped
    assert set(model(x, progress=TrainProgress(10))) == {"loss_recon", "loss_kl"}
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    first = float(model(x, progress=TrainProgress(0))["loss_recon"])
    for _ in range(60):
        opt.zero_grad()
        sum(model(x, progress=TrainProgress(10)).values()).backward()
        opt.step()
    assert float(model(x, progress=TrainProgress(0))["loss_recon"]) < 0.3 * first
    recon = model(x, mode="predict")
    assert len(recon) == 16 and recon[0]["samples"].shape == (1, 8, 8)


def test_running_moments_are_exact_where_float32_sums_cancel():
    g = torch.Generator().manual_seed(0)
    # a large offset beside a small spread: sum(x^2) - n mean^2 in float32 loses it all
    z = (1e4 + 1e-2 * torch.randn(64, 3, 4, 4, generator=g, dtype=torch.float64)).float()
    moments = RunningMoments(3)
    for chunk in z.split(7):
        moments.update(chunk)
    ref = z.double().transpose(0, 1).reshape(3, -1)
    assert torch.allclose(moments.mean, ref.mean(1), rtol=0, atol=1e-9)
    assert torch.allclose(moments.std, ref.std(1, unbiased=False), rtol=1e-9)
    flat = z.transpose(0, 1).reshape(3, -1)
    naive = (flat.pow(2).mean(1) - flat.mean(1).pow(2)).clamp(min=0).sqrt()
    assert not torch.allclose(naive.double(), ref.std(1, unbiased=False), rtol=0.1)


class Maps(Dataset):
    def __init__(self, x):
        self.x = x

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return dict(inputs=self.x[i])


def test_latent_statistics_are_measured_over_all_data_and_used_by_the_frozen_wrapper(tmp_path):
    torch.manual_seed(0)
    vae = MODELS.build(TINY)
    x = smooth_maps(50)
    shift, scale, rel_err = LatentStatisticsHook(batch_size=16).measure(vae, Maps(x))
    z = vae.encode(x).detach().transpose(0, 1).reshape(2, -1).double()
    assert torch.allclose(shift.double(), z.mean(1), atol=1e-6)
    assert torch.allclose(scale.double(), z.std(1, unbiased=False), rtol=1e-5)
    assert rel_err > 0
    vae.latent_shift.copy_(shift)
    vae.latent_scale.copy_(scale)
    vae.latent_stats_ready.fill_(True)
    path = tmp_path / "vae.pth"
    torch.save({"state_dict": {f"autoencoder.{k}": v for k, v in vae.state_dict().items()}}, path)
    frozen = MODELS.build(
        dict(
            type="FrozenAutoencoder", autoencoder=TINY, checkpoint=str(path), prefix="autoencoder."
        )
    )
    frozen.train()
    latents = frozen.encode(x)  # per-channel zero mean, unit std over the data set
    per_channel = latents.transpose(0, 1).reshape(2, -1)
    assert torch.allclose(per_channel.mean(1), torch.zeros(2), atol=1e-5)
    assert torch.allclose(per_channel.std(1, unbiased=False), torch.ones(2), atol=1e-4)
    assert torch.allclose(frozen.decode(latents), vae.decode(vae.encode(x)), atol=1e-5)


def test_frozen_autoencoder_names_a_missing_checkpoint_and_the_run_that_makes_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="model.autoencoder.checkpoint.*train it first"):
        MODELS.build(
            dict(type="FrozenAutoencoder", autoencoder=TINY, checkpoint=str(tmp_path / "no.pth"))
        )
