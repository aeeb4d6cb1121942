"""LossEMAHook: the same curves and logs as per-step reads, with one host read per log."""

from types import SimpleNamespace

import pytest
import torch
from mmengine.hooks import LoggerHook
from mmengine.logging import MessageHub

from greenreg.registry import HOOKS

HOST_READS = (torch.Tensor.item, torch.Tensor.tolist, torch.Tensor.__float__, torch.Tensor.cpu)


class CountedTensor(torch.Tensor):
    """A tensor that records every read of its values by the host."""

    reads: list = []

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        if func in HOST_READS:
            cls.reads.append(func.__name__)
        return super().__torch_function__(func, types, args, kwargs or {})


def fake_runner(tmp_path, name, max_iters, log_interval):
    hub = MessageHub.get_instance(name)
    hooks = [LoggerHook(interval=log_interval)]
    return SimpleNamespace(iter=0, max_iters=max_iters, message_hub=hub, hooks=hooks,
                           work_dir=str(tmp_path))  # fmt: skip


def losses(step: int) -> dict:
    values = dict(loss=1.0 / (step + 1), loss_kl=torch.tensor(0.5 + step, dtype=torch.bfloat16))
    return {k: torch.as_tensor(v).as_subclass(CountedTensor) for k, v in values.items()}


def reference_ema(steps: int, momentum: float) -> dict:
    """The curves as the per-step hook computed them: float() of every term at every step."""
    history = {}
    for step in range(steps):
        for name, value in losses(step).items():
            value = float(value.detach())
            curve = history.setdefault(name, dict(iter=[], raw=[], ema=[]))
            ema = curve["ema"]
            ema.append(value if not ema else ema[-1] + momentum * (value - ema[-1]))
            curve["iter"].append(step + 1)
            curve["raw"].append(value)
    return history


@pytest.mark.parametrize("log_interval", [1, 3, 50])
def test_curves_and_logged_buffers_equal_per_step_reads(tmp_path, log_interval):
    steps = 7
    hook = HOOKS.build(dict(type="LossEMAHook", momentum=0.3))
    runner = fake_runner(tmp_path, f"loss_ema_{log_interval}", steps, log_interval)
    expected = reference_ema(steps, 0.3)
    hook.before_train(runner)
    CountedTensor.reads = []
    reads_before_step = []
    for step in range(steps):
        runner.iter = step
        hook.before_train_iter(runner, step)
        reads_before_step.append(len(CountedTensor.reads))
        if (step + 1) % log_interval == 0:  # LoggerHook reads the hub after this step
            buffer = runner.message_hub.log_scalars.get("train/loss_ema")
            logged = list(buffer.data[0]) if buffer is not None else []
            assert logged == pytest.approx(expected["loss"]["ema"][:step], rel=0, abs=0)
        hook.after_train_iter(runner, step, outputs=losses(step))
    assert hook.history == expected
    for name in expected:
        logged = list(runner.message_hub.log_scalars[f"train/{name}_ema"].data[0])
        assert logged == expected[name]["ema"]
    # one read per log (before the logging step, when steps are pending) plus the last step's
    flushes = sum(1 for s in range(1, steps) if (s + 1) % log_interval == 0) + 1
    assert CountedTensor.reads == ["tolist"] * flushes
    quiet = [s for s in range(1, steps) if (s + 1) % log_interval]
    assert all(reads_before_step[s] == reads_before_step[s - 1] for s in quiet if s > 0)


def test_checkpoints_hold_every_step_so_far(tmp_path):
    hook = HOOKS.build(dict(type="LossEMAHook"))
    runner = fake_runner(tmp_path, "loss_ema_ckpt", 100, 50)
    hook.before_train(runner)
    for step in range(4):
        runner.iter = step
        hook.after_train_iter(runner, step, outputs=losses(step))
    checkpoint = {}
    hook.before_save_checkpoint(runner, checkpoint)
    assert checkpoint["loss_ema_history"]["loss"]["iter"] == [1, 2, 3, 4]
    assert runner.message_hub.get_scalar("train/loss_ema").current() == pytest.approx(
        reference_ema(4, 0.02)["loss"]["ema"][-1]
    )
