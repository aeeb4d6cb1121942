"""TensorBoard logging is one config line: the Runner writes an event file with the losses."""

import glob

import pytest

from tests.engine.test_training_runs import run

event_accumulator = pytest.importorskip(
    "tensorboard.backend.event_processing.event_accumulator",
    reason="TensorBoard is an optional extra: pip install -e '.[tensorboard]'",
)


def test_tensorboard_vis_backend_logs_every_loss_of_the_run(tiny_cfg):
    cfg = tiny_cfg(max_iters=3)
    cfg.visualizer.vis_backends = [dict(type="LocalVisBackend"), dict(type="TensorboardVisBackend")]
    run(cfg)
    (event_file,) = glob.glob(f"{cfg.work_dir}/*/vis_data/events.out.tfevents.*")
    events = event_accumulator.EventAccumulator(event_file)
    events.Reload()
    tags = set(events.Tags()["scalars"])
    assert {"loss", "loss_flow", "lr", "digits/accuracy"} <= tags
    assert [e.step for e in events.Scalars("loss_flow")] == [1, 2, 3]
