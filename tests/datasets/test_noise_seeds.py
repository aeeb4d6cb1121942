import pytest

from greenreg.registry import DATASETS


def test_items_are_consecutive_seeds_marked_unconditional():
    data = DATASETS.build(dict(type="NoiseSeedDataset", num_samples=3, base_seed=10))
    assert len(data) == 3
    assert [data[i] for i in range(3)] == [dict(seed=s, label=-1) for s in (10, 11, 12)]
    with pytest.raises(IndexError, match="3"):
        data[3]
    with pytest.raises(ValueError, match="num_samples"):
        DATASETS.build(dict(type="NoiseSeedDataset", num_samples=0))
