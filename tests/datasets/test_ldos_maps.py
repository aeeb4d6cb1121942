"""LDOSMapDataset: splits, train-only normalisation, and every broken dataset named clearly."""

import json
import os

import numpy as np
import pytest
import torch
from mmengine.dataset import default_collate

from greenreg.registry import DATASETS

ENERGIES = [-1.0, 0.5]
NUM, TEST_SIZE, SIDE = 10, 3, 4


def write_dataset(root, num=NUM, energies=ENERGIES, side=SIDE):
    """A dataset in the tool's layout with known values: map i has LDOS (i + 1) x (c + 1)."""
    os.makedirs(root / "samples")
    manifest = dict(
        format_version=1,
        lattice=dict(type="SquareLattice", size=side, hopping=1.0, next_hopping=0.0),
        disorder=dict(type="AndersonDisorder", width=2.0),
        solver=dict(type="ExactGreenLDOSSolver", broadening=0.1),
        energies=energies,
        num=num,
        seed=0,
        grid_shape=[side, side],
        num_sites=side * side,
        sample_pattern="samples/{index:06d}.npz",
        command="python tools/make_ldos_dataset.py --size 4 --num 10 --energies -1.0 0.5",
    )
    (root / "manifest.json").write_text(json.dumps(manifest))
    rng = np.random.default_rng(0)
    for i in range(num):
        scale = 1.0 if i < num - TEST_SIZE else 100.0  # test maps must not move the statistics
        potential = scale * rng.standard_normal((side, side))
        ldos = np.stack([np.full((side, side), (i + 1.0) * (c + 1)) for c in range(len(energies))])
        np.savez(
            root / "samples" / f"{i:06d}.npz",
            potential=potential.astype(np.float32),
            ldos=ldos.astype(np.float32),
            index=np.int64(i),
            seed=np.int64(0),
        )
    return manifest


def build(root, **kwargs):
    return DATASETS.build(dict(type="LDOSMapDataset", data_root=str(root), **kwargs))


@pytest.fixture
def root(tmp_path):
    write_dataset(tmp_path / "ldos")
    return tmp_path / "ldos"


def test_splits_shapes_and_default_collate(root):
    train, test, every = (
        build(root, split=s, test_size=TEST_SIZE) for s in ("train", "test", "all")
    )
    assert (len(train), len(test), len(every)) == (NUM - TEST_SIZE, TEST_SIZE, NUM)
    item = test[0]
    assert item["inputs"].shape == (1, SIDE, SIDE) and item["inputs"].dtype == torch.float32
    assert item["ldos"].shape == (2, SIDE, SIDE) and item["ldos"].dtype == torch.float32
    assert item["index"] == NUM - TEST_SIZE  # the sample's index in the folder
    assert train.potentials_raw.shape == (NUM - TEST_SIZE, SIDE, SIDE)
    assert every.ldos_raw.shape == (NUM, 2, SIDE, SIDE)
    batch = default_collate([train[i] for i in range(4)])
    assert batch["inputs"].shape == (4, 1, SIDE, SIDE) and batch["ldos"].shape == (4, 2, SIDE, SIDE)
    assert batch["index"].tolist() == [0, 1, 2, 3]


def test_normalisation_comes_from_the_train_maps_only(root):
    train, test = (build(root, split=s, test_size=TEST_SIZE) for s in ("train", "test"))
    num_train = NUM - TEST_SIZE
    mean_factor = (num_train + 1) / 2  # mean of 1..num_train
    expected_ldos_scale = [mean_factor * 1, mean_factor * 2]
    assert train.ldos_scale.tolist() == pytest.approx(expected_ldos_scale)
    assert test.ldos_scale.tolist() == pytest.approx(expected_ldos_scale)
    expected_potential_scale = 3 * float(train.potentials_raw.double().std(unbiased=False))
    assert train.potential_scale == pytest.approx(expected_potential_scale, rel=1e-6)
    assert test.potential_scale == train.potential_scale  # the test maps (x100) do not count
    assert test.metainfo["ldos_scale"] == pytest.approx(expected_ldos_scale)
    assert test.metainfo["potential_scale"] == train.potential_scale
    assert test.metainfo["energies"] == ENERGIES
    # map i has LDOS (i + 1)(c + 1): normalised, (i + 1) / mean_factor in every channel
    item = train[2]
    assert torch.allclose(item["ldos"], torch.full((2, SIDE, SIDE), 3 / mean_factor))
    assert torch.allclose(train.denormalize_potential(item["inputs"][0]), train.potentials_raw[2])
    batch = train.ldos_raw[:3]  # (B, C, H, W)
    assert torch.allclose(train.denormalize_ldos(train.normalize_ldos(batch)), batch)


def test_a_given_potential_scale_is_used(root):
    data = build(root, test_size=TEST_SIZE, potential_scale=2.0)
    assert data.potential_scale == 2.0 and data.metainfo["potential_scale"] == 2.0
    assert torch.allclose(data[1]["inputs"][0], data.potentials_raw[1] / 2)


def test_matching_energies_and_size_pass(root):
    data = build(root, test_size=TEST_SIZE, energies=[-1, 0.5], size=SIDE)
    assert len(data) == NUM - TEST_SIZE


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(energies=[-1.0, 0.6]), r"energies.*expected \[-1.0, 0.5\], got \[-1.0, 0.6\]"),
        (dict(size=8), r"size.*expected 4, got 8"),
        (dict(test_size=NUM), r"test_size.*got 10"),
        (dict(split="val"), r"split.*got 'val'"),
        (dict(potential_scale=0.0), r"potential_scale.*got 0.0"),
    ],
)
def test_bad_config_is_named(root, kwargs, match):
    kwargs.setdefault("test_size", TEST_SIZE)
    with pytest.raises(ValueError, match=match):
        build(root, **kwargs)


def test_missing_folder_says_how_to_make_it(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"make_ldos_dataset.py .*--out .*nowhere"):
        build(tmp_path / "nowhere")


def test_missing_sample_says_how_to_finish(root):
    os.remove(root / "samples" / "000004.npz")
    with pytest.raises(
        FileNotFoundError,
        match=rf"000004.npz: missing; run `python tools/make_ldos_dataset.py .* --out {root}`",
    ):
        build(root, test_size=TEST_SIZE)


@pytest.mark.parametrize(
    "damage, match",
    [
        (lambda path: path.write_bytes(path.read_bytes()[:100]), "does not load"),
        (lambda path: np.savez(path, potential=np.zeros((4, 4), np.float32)), "ldos of shape"),
        (
            lambda path: np.savez(
                path,
                potential=np.zeros((4, 4), np.float32),
                ldos=np.full((2, 4, 4), np.nan, np.float32),
                index=np.int64(5),
                seed=np.int64(0),
            ),
            "finite",
        ),
    ],
)
def test_corrupt_sample_is_named(root, damage, match):
    damage(root / "samples" / "000005.npz")
    with pytest.raises(ValueError, match=rf"000005.npz: corrupt.*{match}.*make_ldos_dataset.py"):
        build(root, test_size=TEST_SIZE)
