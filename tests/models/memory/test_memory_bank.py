"""MemoryBank: FIFO order, state in the checkpoint, named errors."""

import pytest
import torch

from greenreg.registry import MODELS


def test_the_bank_is_fifo_and_its_state_survives_a_state_dict_round_trip():
    bank = MODELS.build(dict(type="MemoryBank", size=5, feature_dim=2))
    assert len(bank) == 0 and bank.contents().shape == (0, 2)
    rows = torch.arange(14.0).reshape(7, 2)  # features 0..6
    bank.push(rows[:3])
    assert torch.equal(bank.contents(), rows[:3])
    bank.push(rows[3:])
    assert len(bank) == 5 and torch.equal(bank.contents(), rows[2:])  # 0 and 1 replaced
    restored = MODELS.build(dict(type="MemoryBank", size=5, feature_dim=2))
    restored.load_state_dict(bank.state_dict())
    assert torch.equal(restored.contents(), bank.contents())
    bank.push(rows[:1])
    restored.push(rows[:1])
    assert torch.equal(restored.contents(), bank.contents())


def test_bad_pushes_and_sizes_are_named():
    bank = MODELS.build(dict(type="MemoryBank", size=4, feature_dim=3))
    with pytest.raises(ValueError, match=r"\(B, 3\).*got \(2, 4\)"):
        bank.push(torch.zeros(2, 4))
    nan = torch.zeros(3, 3)
    nan[1, 0] = float("nan")
    with pytest.raises(ValueError, match=r"rows \[1\]"):
        bank.push(nan)
    with pytest.raises(ValueError, match="size"):
        MODELS.build(dict(type="MemoryBank", size=0))


def test_items_travel_with_their_features_and_draws_are_distinct_rows():
    bank = MODELS.build(dict(type="MemoryBank", size=6, feature_dim=1, item_shape=(1, 2, 2)))
    features = torch.arange(8.0)[:, None]  # (8, 1)
    items = features[:, :, None, None].expand(8, 1, 2, 2) * 10  # item i holds 10 i
    bank.push(features[:5], items[:5])
    bank.push(features[5:], items[5:])  # 0 and 1 replaced
    drawn = bank.draw(4, generator=torch.Generator().manual_seed(0))
    assert drawn.rows.unique().numel() == 4
    torch.testing.assert_close(drawn.items[:, 0, 0, 0], 10 * drawn.features[:, 0])
    assert drawn.features.min() >= 2  # only held entries
    assert len(bank.draw(100).rows) == 6  # at most what is held
    restored = MODELS.build(dict(type="MemoryBank", size=6, feature_dim=1, item_shape=(1, 2, 2)))
    restored.load_state_dict(bank.state_dict())
    assert torch.equal(restored.items, bank.items)


def test_items_must_match_the_bank():
    kept = MODELS.build(dict(type="MemoryBank", size=4, feature_dim=2, item_shape=(3,)))
    with pytest.raises(ValueError, match="item_shape"):
        kept.push(torch.zeros(2, 2))
    with pytest.raises(ValueError, match=r"\(3,\).*got items \(2, 4\)"):
        kept.push(torch.zeros(2, 2), torch.zeros(2, 4))
    plain = MODELS.build(dict(type="MemoryBank", size=4, feature_dim=2))
    with pytest.raises(ValueError, match="item_shape"):
        plain.push(torch.zeros(2, 2), torch.zeros(2, 3))
