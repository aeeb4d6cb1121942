"""Batched indexing: every in-memory dataset's batch equals per-sample default_collate's."""

import numpy as np
import pytest
import torch
from mmengine.dataset import default_collate, pseudo_collate
from mmengine.registry import FUNCTIONS as MMENGINE_FUNCTIONS
from torch.utils.data import DataLoader, Dataset

from greenreg.datasets.batched_indexing import CollatedBatch, batched_collate
from greenreg.registry import DATASETS
from tests.datasets.test_cifar10 import write_folder
from tests.datasets.test_ldos_maps import write_dataset

# indices as a shuffling sampler hands them: out of order, repeated, both ends
INDICES = [3, 0, 7, 3, 1, 9, 2]


def image_array(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(10, 5, 5), dtype=np.uint8)
    np.savez(tmp_path / "a.npz", images=images, labels=np.arange(10) % 3)
    return dict(type="ImageArrayDataset", path=str(tmp_path / "a.npz"), image_size=7)


def ldos(tmp_path):
    write_dataset(tmp_path / "ldos")
    return dict(type="LDOSMapDataset", data_root=str(tmp_path / "ldos"), split="all", test_size=3)


def cifar(tmp_path, hflip_prob=0.0):
    write_folder(tmp_path / "cifar")
    return dict(type="CIFAR10Dataset", root=str(tmp_path / "cifar"), hflip_prob=hflip_prob)


CONFIGS = {
    "CaptionedDigitsDataset": lambda _: dict(
        type="CaptionedDigitsDataset", source="digits", image_size=12, num_samples=10
    ),
    "StyledDigitsDataset": lambda _: dict(
        type="StyledDigitsDataset", source="digits", image_size=8, num_digits=4
    ),
    "CaptionPromptDataset": lambda _: dict(type="CaptionPromptDataset", samples_per_digit=1),
    "NoiseSeedDataset": lambda _: dict(type="NoiseSeedDataset", num_samples=10, base_seed=5),
    "Toy2DDataset": lambda _: dict(type="Toy2DDataset", num_samples=10),
    "ImageArrayDataset": image_array,
    "LDOSMapDataset": ldos,
    "CIFAR10Dataset": cifar,
}


class PerSample(Dataset):
    """The dataset seen without ``__getitems__``: the DataLoader's per-sample path."""

    def __init__(self, dataset) -> None:
        self.dataset = dataset

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, index: int):
        return self.dataset[index]


def assert_same_batch(got: dict, expected: dict) -> None:
    assert type(got) is type(expected) is dict
    assert list(got) == list(expected)
    for key, value in expected.items():
        if isinstance(value, torch.Tensor):
            assert got[key].dtype == value.dtype, key
            assert got[key].shape == value.shape, key
            assert torch.equal(got[key], value), key
        else:
            assert got[key] == value, key


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_batch_equals_per_sample_default_collate(name, tmp_path):
    data = DATASETS.build(CONFIGS[name](tmp_path))
    expected = default_collate([data[i] for i in INDICES])
    assert_same_batch(batched_collate(data.__getitems__(INDICES)), expected)


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_dataloader_batches_equal_the_per_sample_path(name, tmp_path):
    data = DATASETS.build(CONFIGS[name](tmp_path))
    sampler = torch.randperm(len(data), generator=torch.Generator().manual_seed(1)).tolist()
    fast = DataLoader(data, batch_size=4, sampler=sampler, collate_fn=batched_collate)
    slow = DataLoader(PerSample(data), batch_size=4, sampler=sampler, collate_fn=default_collate)
    batches = list(zip(fast, slow, strict=True))
    assert len(batches) == -(-len(data) // 4)  # the last, short batch too
    for got, expected in batches:
        assert_same_batch(got, expected)


def test_random_flips_match_the_per_sample_draws_under_one_seed(tmp_path):
    data = DATASETS.build(cifar(tmp_path, hflip_prob=0.5))
    indices = list(range(len(data)))  # 20 images: both outcomes occur
    with torch.random.fork_rng():
        torch.manual_seed(3)
        expected = default_collate([data[i] for i in indices])
        after_per_sample = torch.rand(())
        torch.manual_seed(3)
        got = batched_collate(data.__getitems__(indices))
        after_batch = torch.rand(())
    assert_same_batch(got, expected)
    flipped = ~torch.isclose(got["inputs"], data.images[indices]).all(dim=(1, 2, 3))
    assert 0 < flipped.sum() < len(indices)
    assert after_batch == after_per_sample  # the global stream moved on by as much


def test_other_collate_functions_still_see_a_list_of_samples():
    data = DATASETS.build(CONFIGS["CaptionedDigitsDataset"](None))
    batch = data.__getitems__(INDICES)
    assert isinstance(batch, CollatedBatch) and len(batch) == len(INDICES)
    assert_same_batch(default_collate(batch), batched_collate(batch))
    samples = pseudo_collate(batch)["inputs"]
    assert all(torch.equal(x, data[i]["inputs"]) for x, i in zip(samples, INDICES, strict=True))
    with pytest.raises(IndexError, match="outside a batch of 7"):
        batch[7]


def test_a_list_of_samples_falls_back_to_default_collate():
    samples = [dict(x=torch.ones(2), caption="a"), dict(x=torch.zeros(2), caption="b")]
    assert_same_batch(batched_collate(samples), default_collate(samples))


def test_noise_seeds_refuse_indices_outside_the_set():
    data = DATASETS.build(dict(type="NoiseSeedDataset", num_samples=3))
    with pytest.raises(IndexError, match="outside"):
        data.__getitems__([0, 3])


def test_the_runner_finds_the_collate_function_by_its_scoped_name():
    assert MMENGINE_FUNCTIONS.get("greenreg.batched_collate") is batched_collate
