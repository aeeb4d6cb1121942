"""GreenDiff end to end on a tiny real LDOS data set: VAE run -> latent flow run -> samples."""

import os
import subprocess
import sys
import uuid

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from greenreg.datasets.ldos_maps import LDOSMapDataset
from greenreg.engine.checkpoint import load_checkpoint
from greenreg.evaluation import LDOSRecomputer, relative_l2
from greenreg.registry import MODELS
from tests.conftest import CONFIGS, REPO


@pytest.fixture(scope="module")
def ldos_root(tmp_path_factory):
    """12 maps of an 8x8 square lattice at 2 energies (exact Green's function)."""
    root = str(tmp_path_factory.mktemp("ldos") / "square8")
    cmd = [sys.executable, os.path.join(REPO, "tools", "make_ldos_dataset.py"), "--lattice",
           "square", "--size", "8", "--num", "12", "--energies", "-2", "0.5", "--disorder",
           "gaussian", "--strength", "1", "--correlation-length", "1.5", "--workers", "1",
           "--out", root]  # fmt: skip
    subprocess.run(cmd, check=True, capture_output=True, env=dict(os.environ, OMP_NUM_THREADS="1"))
    return root


def tiny(path: str, work_dir: str, root: str, vae_checkpoint: str | None = None) -> Config:
    """A GreenDiff config shrunk to the 8x8 data set: 2 energies, 2x2 latents, 2 iterations."""
    cfg = Config.fromfile(path)
    cfg.work_dir = work_dir
    cfg.experiment_name = f"test_{uuid.uuid4().hex[:8]}"
    cfg.train_cfg.max_iters = 2
    cfg.default_hooks.checkpoint.interval = 2
    cfg.train_dataloader.batch_size = 4
    cfg.train_dataloader.dataset.update(data_root=root, test_size=4, energies=[-2, 0.5], size=8)
    vae = dict(image_shape=(1, 8, 8), base_channels=8, groups=4)
    if cfg.model.type == "VAEModel":
        cfg.model.autoencoder.update(vae)
        return cfg
    cfg.model.autoencoder.autoencoder.update(vae)
    cfg.model.autoencoder.checkpoint = vae_checkpoint
    cfg.model.conditioning.update(channels=2, concat_channels=4, embed_dim=16, hidden_channels=8)
    cfg.model.backbone.update(in_channels=8, image_size=2, width=16, depth=1, num_heads=2)
    cfg.model.loss_terms.lgo.operator.update(ldos_channels=2, width=8, num_res_blocks=1, groups=4)
    cfg.model.time_grid.num_steps = 2
    return cfg


def test_vae_then_latent_flow_train_and_sample_consistent_potentials(ldos_root, tmp_path):
    vae_cfg = tiny(os.path.join(CONFIGS, "greendiff_vae.py"), str(tmp_path / "vae"), ldos_root)
    Runner.from_cfg(vae_cfg).train()
    vae_ckpt = str(tmp_path / "vae" / "iter_2.pth")
    state = load_checkpoint(vae_ckpt)["state_dict"]
    assert bool(state["autoencoder.latent_stats_ready"])  # measured into the checkpoint
    assert (state["autoencoder.latent_scale"] > 0).all()

    ldm_cfg = tiny(os.path.join(CONFIGS, "greendiff_ldm.py"), str(tmp_path / "ldm"), ldos_root,
                   vae_checkpoint=vae_ckpt)  # fmt: skip
    runner = Runner.from_cfg(ldm_cfg)
    runner.train()
    model = runner.model.eval()
    # the frozen VAE uses the per-channel statistics its own run stored
    scale = model.autoencoder.scale.flatten()
    assert torch.equal(scale, state["autoencoder.latent_scale"])
    test = LDOSMapDataset(ldos_root, split="test", test_size=4)
    ldos = torch.stack([test[i]["ldos"] for i in range(4)])
    x = model.sample(dict(ldos=ldos), seeds=[0, 1, 2, 3])
    assert x.shape == (4, 1, 8, 8) and torch.isfinite(x).all()
    again = model.sample(dict(ldos=ldos), seeds=[0, 1, 2, 3])
    assert torch.equal(x, again)  # seeded per sample
    guided_cfg = ldm_cfg.model.copy()
    guided_cfg.loss_terms.lgo.guidance_scale = 1.0
    guided_cfg.autoencoder.checkpoint = None
    guided = MODELS.build(guided_cfg)
    guided.load_state_dict(model.state_dict())
    assert not torch.equal(guided.eval().sample(dict(ldos=ldos), seeds=[0, 1, 2, 3]), x)
    # the physics of a sample is computable and compared with the maps it was drawn for
    potentials = test.denormalize_potential(x[:, 0]).numpy()
    recomputed = LDOSRecomputer(test.manifest)(potentials)
    err = relative_l2(recomputed, test.ldos_raw[:4].numpy())
    assert recomputed.shape == (4, 2, 8, 8) and np.isfinite(err).all() and (err > 0).all()
    truth = LDOSRecomputer(test.manifest)(test.potentials_raw[:4].numpy())
    assert relative_l2(truth, test.ldos_raw[:4].numpy()).max() < 1e-5  # the pipeline's floor
