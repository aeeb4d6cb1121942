"""Loading across an architecture change: what fits loads, the rest is reported or refused."""

import logging
from types import SimpleNamespace

import pytest
import torch
from torch import nn

from greenreg.engine.checkpoint import CheckpointError, match_state_dict
from greenreg.engine.hooks import CheckpointCompatibilityHook


def old_and_new():
    old = nn.Sequential(nn.Linear(4, 8), nn.Linear(8, 2))
    new = nn.Sequential(nn.Linear(4, 8), nn.Linear(8, 3), nn.Linear(3, 3))  # head resized + one
    return old, new


def runner_for(model):
    return SimpleNamespace(model=model, logger=logging.getLogger("test_partial_checkpoint"))


def test_the_match_report_counts_keys_and_elements():
    old, new = old_and_new()
    match = match_state_dict(old.state_dict(), new)
    assert match.matched == ["0.bias", "0.weight"]
    assert match.mismatched == ["1.bias", "1.weight"]
    assert match.missing == ["2.bias", "2.weight"] and match.unexpected == []
    assert match.matched_fraction == pytest.approx(40 / (40 + 27 + 12))


def test_strict_by_default_partial_when_told(caplog):
    old, new = old_and_new()
    checkpoint = dict(state_dict=old.state_dict(), ema_state_dict={"module.x": torch.ones(1)})
    with pytest.raises(CheckpointError, match="2 of another shape"):
        CheckpointCompatibilityHook().after_load_checkpoint(runner_for(new), dict(checkpoint))
    hook = CheckpointCompatibilityHook(allow_partial=True, min_matched_fraction=0.4)
    with caplog.at_level(logging.WARNING):
        hook.after_load_checkpoint(runner_for(new), checkpoint)
    assert sorted(checkpoint["state_dict"]) == ["0.bias", "0.weight"]
    assert "ema_state_dict" not in checkpoint  # the old average cannot load either
    assert "2 of another shape" in caplog.text and "2 missing" in caplog.text
    new.load_state_dict(checkpoint["state_dict"], strict=False)
    assert torch.equal(new[0].weight, old[0].weight)


def test_too_little_matched_is_refused_unless_the_threshold_is_lowered():
    old, new = old_and_new()
    hook = CheckpointCompatibilityHook(allow_partial=True, min_matched_fraction=0.9)
    with pytest.raises(CheckpointError, match=r"only 50\.6% .* expected at least 90%"):
        hook.after_load_checkpoint(runner_for(new), dict(state_dict=old.state_dict()))
    anyway = CheckpointCompatibilityHook(allow_partial=True, min_matched_fraction=0.0)
    anyway.after_load_checkpoint(runner_for(new), dict(state_dict=old.state_dict()))
    with pytest.raises(ValueError, match="min_matched_fraction"):
        CheckpointCompatibilityHook(min_matched_fraction=1.5)
