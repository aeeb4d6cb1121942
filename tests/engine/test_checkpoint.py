import os
import pickle

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer

from greenreg.engine.checkpoint import (
    CheckpointError,
    allow_mmengine_checkpoints,
    check_state_dict_fits,
    load_checkpoint,
    model_state_dict,
)


class WritesAFile:
    """A pickle payload that would create a file when unpickled."""

    def __init__(self, target):
        self.target = target

    def __reduce__(self):
        return (open, (self.target, "w"))


def test_a_checkpoint_whose_pickle_runs_code_is_refused_and_runs_nothing(tmp_path):
    target = tmp_path / "pwned"
    path = tmp_path / "evil.pth"
    torch.save({"state_dict": {}, "payload": WritesAFile(str(target))}, path)
    assert not target.exists()
    with pytest.raises(CheckpointError, match="allow-list"):
        load_checkpoint(str(path))
    assert not target.exists()


def test_mmengine_message_hub_buffers_round_trip_through_the_weights_only_loader(tmp_path):
    allow_mmengine_checkpoints()  # what SafeCheckpointsHook does before a run's first save
    buffer = HistoryBuffer()
    for v in (1.0, np.float64(2.5), 3):
        buffer.update(v)
    path = tmp_path / "hub.pth"
    torch.save({"state_dict": {"w": torch.ones(2)}, "message_hub": {"log": buffer}}, path)
    loaded = load_checkpoint(str(path))["message_hub"]["log"]
    assert loaded.mean() == pytest.approx(buffer.mean())
    assert loaded.current() == 3
    # and the pickle holds no reference to a function (no getattr in the allow-list)
    assert b"getattr" not in pickle.dumps(buffer, protocol=2)


def test_truncated_and_missing_files_give_clear_errors(tmp_path):
    good = tmp_path / "good.pth"
    torch.save({"state_dict": {"w": torch.ones(3)}}, good)
    truncated = tmp_path / "truncated.pth"
    truncated.write_bytes(good.read_bytes()[: os.path.getsize(good) // 2])
    with pytest.raises(CheckpointError, match="truncated or corrupt"):
        load_checkpoint(str(truncated))
    with pytest.raises(FileNotFoundError, match="no such file"):
        load_checkpoint(str(tmp_path / "absent.pth"))


def test_model_state_dict_picks_ema_or_trained_weights():
    # mmengine's EMAHook: `state_dict` holds the averaged weights, `ema_state_dict` the raw
    ckpt = {
        "state_dict": {"w": torch.zeros(1)},
        "ema_state_dict": {"module.w": torch.ones(1), "steps": torch.tensor(3)},
    }
    assert model_state_dict(ckpt, use_ema=True)["w"].item() == 0
    assert model_state_dict(ckpt, use_ema=False) == {"w": torch.ones(1)}
    assert model_state_dict({"state_dict": {"w": torch.ones(1)}}, use_ema=False)["w"].item() == 1
    with pytest.raises(CheckpointError, match="state_dict"):
        model_state_dict({"weights": {}})


def test_state_dict_mismatch_names_missing_unexpected_and_reshaped_keys():
    model = torch.nn.Linear(3, 2)
    check_state_dict_fits(model.state_dict(), model, "ckpt")
    with pytest.raises(CheckpointError, match=r"another shape \(e.g. weight: model \(2, 3\)"):
        check_state_dict_fits({"weight": torch.zeros(4, 3), "bias": torch.zeros(2)}, model, "ckpt")
    with pytest.raises(CheckpointError, match="1 missing.*1 unexpected"):
        check_state_dict_fits({"weight": torch.zeros(2, 3), "extra": torch.zeros(1)}, model, "ckpt")
